"""azure-core's package __init__, deferred until more of azure-core than three leaves is used.

With token auth ($ADUE_ACCESS_TOKEN) adue uses three small azure.core modules:
`credentials` (AccessToken, and the TokenCredential protocol kiota-authentication-azure's
provider is typed with), `credentials_async` and `exceptions` (ClientAuthenticationError);
they import nothing else of azure-core. Importing any of them runs azure/core/__init__.py
first, which imports azure-core's own HTTP pipeline (PipelineClient, its policies and
transports, and through them email, xml.etree and http.client), and msgraph-core imports
that provider from its package __init__ whatever the credential. None of that pipeline is
used on this path: 79 M of the 1,452 M instructions of a headless `adue plan` (valgrind).

`defer()` registers azure.core without running its __init__ (tui.graph.deferred_init):
the three leaves import as usual, and the __init__ runs, in the same module object,
before anything else of azure-core is used (a name only it defines, as azure.identity's
`from azure.core import CaseInsensitiveEnumMeta`, or any other submodule). The headless
commands' token sign-in calls it (tui.commands.connect), in their one thread: the
wizard's worker threads import as usual.
"""

from __future__ import annotations

from tui.graph import deferred_init

PACKAGE = "azure.core"
LEAVES = frozenset(
    {f"{PACKAGE}.credentials", f"{PACKAGE}.credentials_async", f"{PACKAGE}.exceptions"}
)


def defer() -> None:
    """Import azure.core without running its __init__ until more than its leaves is used."""
    deferred_init.defer(PACKAGE, LEAVES)
