"""urllib3's package __init__s, deferred until more of urllib3 than `parse_url` is used.

msgraph-core's telemetry handler (in every Graph client's middleware chain) imports
`from urllib3.util import parse_url` to tell Graph's hosts from others; adue's HTTP is
httpx's, and nothing else of urllib3 is used on a headless path. That import runs
urllib3/__init__.py and urllib3/util/__init__.py first, which import all of urllib3
(its connection pools, responses, retries, TLS helpers). parse_url lives in
urllib3.util.url, which needs only urllib3.exceptions and urllib3.util.util: 53 M
instructions of the 89 M the whole package costs a headless `adue plan` (valgrind).

`defer()` registers both packages without running their __init__s
(tui.graph.deferred_init) and puts parse_url in urllib3.util, as its __init__ would.
Anything else of urllib3 (another name, another submodule) runs the __init__s first,
urllib3's before urllib3.util's, in the same module objects. Called where
deferred_azure_core is (tui.commands.connect, token auth, one thread), before msgraph
is first imported.
"""

from __future__ import annotations

from tui.graph import deferred_init

UTIL = "urllib3.util"
URL = f"{UTIL}.url"
UTIL_LEAVES = frozenset({URL, f"{UTIL}.util"})  # what urllib3.util.url imports of urllib3


def defer() -> None:
    """Import urllib3.util.parse_url without urllib3's and urllib3.util's __init__s."""
    run_parent = deferred_init.defer("urllib3", UTIL_LEAVES | {UTIL, "urllib3.exceptions"})
    if run_parent is not None:
        deferred_init.defer(UTIL, UTIL_LEAVES, names={"parse_url": URL}, parent_init=run_parent)
