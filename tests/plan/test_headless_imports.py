"""What a pipeline's `adue plan` (token auth) does not import: the start-up cuts measured
for bench/headless_plan.py, checked in a fresh process, so that one coming back (a new
import of azure.core's package, of h2) fails here rather than only in the bench.

- azure.identity: a bearer token handed in needs nothing of it (tests/graph/test_auth.py
  checks sign-in and a refused token; here the whole command);
- azure-core's own HTTP pipeline (azure.core.pipeline and what it pulls in): only three
  small azure.core modules are used, its package __init__ is deferred
  (tui.graph.deferred_azure_core);
- urllib3 beyond parse_url, which msgraph-core's telemetry handler imports from it
  (tui.graph.deferred_urllib3);
- h2: adue's connections speak HTTP/1.1, httpcore's HTTP/2 support is never loaded;
- tui.rollout.converge: what apply needs to create objects, never a plan;
- of adue's own dataclasses, all but two before the first request (tui.values);
- before the first request, the code that reads its answers (tui.rollout.read; the
  models, parsers, operations and payloads of tui.graph) and the plan engine
  (tui.rollout.plan, its model, the priorities): they are imported while that request
  is on the wire (tui.rollout.pinned_plan).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.plan.helpers import session_with_ids
from tui.sandbox.server import RunningSandbox

ROOT = Path(__file__).resolve().parents[2]

PLAN_PROBE = textwrap.dedent(
    """
    import json, sys
    from tui.cli import main
    code = main(sys.argv[1:])
    sys.stdout.flush()
    unwanted = (
        "azure.identity",
        "azure.core.pipeline",
        "azure.core._pipeline_client",
        "h2",
        "tui.rollout.converge",
    )
    print(json.dumps({
        "code": code,
        "loaded": sorted(m for m in unwanted if sys.modules.get(m) is not None),
        "azure_core": sorted(m for m in sys.modules if m.startswith("azure.core.")),
        "urllib3": sorted(m for m in sys.modules if m.startswith("urllib3")),
    }), file=sys.stderr)
    """
)


def _token_plan(
    probe: str, sandbox: RunningSandbox, tmp_path: Path
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """`adue plan` with token auth in a fresh process run by `probe`: the process and what
    the probe's last line on stderr says."""
    path = session_with_ids(sandbox, tmp_path)
    env = dict(
        os.environ,
        ADUE_ACCESS_TOKEN=sandbox.token,
        ADUE_GRAPH_URL=sandbox.graph_url,
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, "plan", "--session", str(path)],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result, json.loads(result.stderr.strip().splitlines()[-1])


def test_token_plan_imports_neither_azure_cores_pipeline_nor_h2(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    result, seen = _token_plan(PLAN_PROBE, sandbox, tmp_path)
    assert seen["code"] == 2, result.stderr  # a real plan: changes to make on a fresh tenant
    assert "Tenant: Contoso" in result.stdout
    assert seen["loaded"] == []
    assert seen["azure_core"] == [
        "azure.core.credentials",
        "azure.core.credentials_async",
        "azure.core.exceptions",
    ]
    assert seen["urllib3"] == [  # parse_url's own (tui.graph.deferred_urllib3)
        "urllib3",
        "urllib3.exceptions",
        "urllib3.util",
        "urllib3.util.url",
        "urllib3.util.util",
    ]


FIRST_REQUEST_PROBE = textwrap.dedent(
    """
    import json, sys
    ENGINE = (
        "tui.rollout.plan", "tui.rollout.model", "tui.rollout.priority", "tui.rollout.read",
        "tui.graph.models", "tui.graph.parse", "tui.graph.operations", "tui.graph.payloads",
    )
    at_connect = []
    def hook(event, args):
        if event == "socket.connect" and not at_connect:
            at_connect.append(sorted(m for m in ENGINE if m in sys.modules))
    sys.addaudithook(hook)
    from tui.cli import main
    code = main(sys.argv[1:])
    sys.stdout.flush()
    print(json.dumps({
        "code": code,
        "at_connect": at_connect,
        "at_exit": sorted(m for m in ENGINE if m in sys.modules),
    }), file=sys.stderr)
    """
)


def test_token_plan_sends_its_first_request_before_importing_the_answers_code(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    result, seen = _token_plan(FIRST_REQUEST_PROBE, sandbox, tmp_path)
    assert seen["code"] == 2, result.stderr
    assert "Tenant: Contoso" in result.stdout
    assert "change(s). To make them: adue apply" in result.stdout
    assert seen["at_connect"] == [[]]  # the first connection: none of them yet
    assert seen["at_exit"] == [
        "tui.graph.models",
        "tui.graph.operations",
        "tui.graph.parse",
        "tui.graph.payloads",
        "tui.rollout.model",
        "tui.rollout.plan",
        "tui.rollout.priority",
        "tui.rollout.read",
    ]


DATACLASSES_PROBE = textwrap.dedent(
    """
    import dataclasses, json, sys
    made, sent = [], []
    process = dataclasses._process_class
    def counted(cls, *args, **kwargs):
        if not sent and cls.__module__.startswith("tui."):
            made.append(f"{cls.__module__}.{cls.__qualname__}")
        return process(cls, *args, **kwargs)
    dataclasses._process_class = counted
    def hook(event, args):
        if event == "socket.connect":
            sent.append(True)
    sys.addaudithook(hook)
    from tui.cli import main
    code = main(sys.argv[1:])
    sys.stdout.flush()
    print(json.dumps({"code": code, "made": made}), file=sys.stderr)
    """
)


def test_token_plan_makes_no_more_dataclasses_of_adues_before_its_first_request(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Python 3.11 compiles each dataclass's methods as the class is made (a frozen one:
    ~3.4 M instructions): the value types made before the first request are
    tui.values.Frozen classes. A new dataclass on this path fails here."""
    result, seen = _token_plan(DATACLASSES_PROBE, sandbox, tmp_path)
    assert seen["code"] == 2, result.stderr
    assert seen["made"] == ["tui.graph.auth.ConnectionSettings", "tui.graph.auth.Credential"]


DEFERRED_PROBE = textwrap.dedent(
    """
    import sys
    from tui.graph import deferred_azure_core
    deferred_azure_core.defer()
    from azure.core.exceptions import ClientAuthenticationError
    assert "azure.core.pipeline" not in sys.modules
    exec(sys.argv[1])  # the first use of the rest of azure-core
    import azure.core
    from azure.core import PipelineClient
    from azure.core.pipeline import Pipeline
    from azure.identity import ClientSecretCredential
    print(azure.core.__version__ == sys.modules["azure.core._version"].VERSION)
    print(PipelineClient.__module__, Pipeline.__module__, "__getattr__" in vars(azure.core))
    print(sys.modules["azure.core"] is azure.core is sys.modules["azure"].core)
    print(azure.core.exceptions.ClientAuthenticationError is ClientAuthenticationError)
    try:
        azure.core.no_such_name
    except AttributeError as exc:
        print(exc)
    """
)


@pytest.mark.parametrize(
    "first",
    [
        "import azure.identity",  # its policies import azure.core's package names
        "import azure.core.pipeline.policies",  # a submodule that needs the __init__ first
        "from azure.core import CaseInsensitiveEnumMeta",  # a name only the __init__ defines
    ],
)
def test_a_deferred_azure_core_is_the_whole_package_once_more_of_it_is_used(first: str) -> None:
    """azure.identity (the other sign-in methods, or a wizard that signs in after a token
    run) and anything else of azure-core get the package a plain import makes: its
    __init__ runs first."""
    result = _fresh_python(DEFERRED_PROBE, first)
    assert result.stdout.splitlines() == [
        "True",
        "azure.core._pipeline_client azure.core.pipeline._base False",
        "True",
        "True",
        "module 'azure.core' has no attribute 'no_such_name'",
    ], result.stderr


DEFERRED_URLLIB3_PROBE = textwrap.dedent(
    """
    import sys
    from tui.graph import deferred_urllib3
    deferred_urllib3.defer()
    from urllib3.util import parse_url
    print(parse_url("https://graph.microsoft.com/v1.0/me").host)
    print(len([m for m in sys.modules if m.startswith("urllib3")]))
    exec(sys.argv[1])  # the first use of the rest of urllib3
    import urllib3, urllib3.util
    from urllib3 import PoolManager
    from urllib3.util import Retry
    print(sorted(m for m in sys.modules if m.startswith("urllib3")) == sys.argv[2].split())
    print(urllib3.__version__ == sys.modules["urllib3._version"].__version__)
    print(PoolManager.__module__, Retry.__module__)
    print("__getattr__" in vars(urllib3), "__getattr__" in vars(urllib3.util))
    print(urllib3.util is sys.modules["urllib3.util"], urllib3.util.parse_url is parse_url)
    """
)


@pytest.mark.parametrize(
    "first",
    [
        "import urllib3.connectionpool",  # a submodule of the package
        "import urllib3.util.retry",  # one of urllib3.util's
        "from urllib3.util import Retry",  # a name only urllib3.util's __init__ defines
        "import urllib3; urllib3.PoolManager",  # one only urllib3's defines
    ],
)
def test_a_deferred_urllib3_is_the_whole_package_once_more_of_it_is_used(first: str) -> None:
    """Anything of urllib3 but parse_url gets the packages a plain import makes: the same
    modules, both __init__s run."""
    plain = _fresh_python(
        "import sys, urllib3; print(*sorted(m for m in sys.modules if m.startswith('urllib3')))"
    )
    result = _fresh_python(DEFERRED_URLLIB3_PROBE, first, plain.stdout.strip())
    assert result.stdout.splitlines() == [
        "graph.microsoft.com",
        "5",  # parse_url's leaves only, until then
        "True",
        "True",
        "urllib3.poolmanager urllib3.util.retry",
        "False False",
        "True True",
    ], result.stderr


def _fresh_python(probe: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", probe, *args],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
