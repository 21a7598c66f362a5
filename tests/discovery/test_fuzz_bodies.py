"""Property-based fuzzing (hypothesis) of how the discovery check judges an answer
(tui/discovery/evaluate.py): any bytes, any JSON document, any Servers item, any
Content-Type. Property: a list of known findings with short, printable evidence and a
fix for every non-pass — never an exception. The network part is covered against real
servers in test_check_hostile.py.

More examples: ADUE_FUZZ_EXAMPLES=5000.
"""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tui.discovery.evaluate import Answer, evaluate_document
from tui.discovery.findings import FINDING_IDS

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
EXAMPLES = int(os.environ.get("ADUE_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
base_urls = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda scheme, host, rest: f"{scheme}://{host}{rest}",
        st.sampled_from(["https", "http", "", "HTTPS"]),
        st.sampled_from(["manage.microsoft.com", "[::1", "[", "host:99x", "a@b:c", ""]),
        st.text(max_size=40),
    ),
)


def _judged(body: bytes, content_type: str | None = "application/json") -> None:
    for tenant in (TENANT, None):
        findings = evaluate_document(
            Answer(200, content_type, body), tenant_id=tenant, cloud="global"
        )
        assert findings
        for finding in findings:
            assert finding.id in FINDING_IDS
            assert finding.detail.isprintable(), finding
            assert len(finding.detail) < 1000, finding
            assert finding.status == "pass" or finding.fix


@FUZZ
@given(st.binary(max_size=3000))
@example(b"[" * 50_000)
@example(b'{"Servers":[{"Version":' + b"1" * 6000 + b"}]}")
def test_any_bytes(body: bytes) -> None:
    _judged(body)


@FUZZ
@given(json_value)
def test_any_json_document(document: Any) -> None:
    _judged(json.dumps(document).encode())


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["Version", "BaseURL", "version", "baseurl", "x"]),
        st.one_of(json_value, base_urls),
        max_size=4,
    ),
    st.integers(1, 3),
)
def test_any_servers_item(item: dict[str, Any], copies: int) -> None:
    _judged(json.dumps({"Servers": [item] * copies}).encode())


@FUZZ
@given(base_urls, st.text(max_size=60))
def test_any_base_url_and_content_type(base_url: str, content_type: str) -> None:
    document = {"Servers": [{"Version": "mdm-byod", "BaseURL": base_url}]}
    _judged(json.dumps(document).encode(), content_type)
