"""azure-core's package __init__, deferred until more of azure-core than three leaves is used.

With token auth ($ADUE_ACCESS_TOKEN) adue uses three small azure.core modules:
`credentials` (AccessToken, and the TokenCredential protocol kiota-authentication-azure's
provider is typed with), `credentials_async` and `exceptions` (ClientAuthenticationError);
they import nothing else of azure-core. Importing any of them runs azure/core/__init__.py
first, which imports azure-core's own HTTP pipeline (PipelineClient, its policies and
transports, and through them email, xml.etree and http.client), and msgraph-core imports
that provider from its package __init__ whatever the credential. None of that pipeline is
used on this path: 79 M of the 1,452 M instructions of a headless `adue plan` (valgrind).

`defer()` registers azure.core as the package it is (its path, spec and loader) without
running its __init__, so those three leaves import as usual. The __init__ runs, in the
same module object, before anything else of azure-core is used: a name only it defines
(`from azure.core import CaseInsensitiveEnumMeta`, as azure.identity does) or any other
submodule (`azure.core.pipeline`, whose modules expect the package imported first, as
a plain import has it). From then on the package is what a plain import would have
made. Once azure.core is imported, `defer()` does nothing. The headless commands' token
sign-in calls it (tui.commands.connect), in their one thread: the wizard's worker threads
import as usual.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any, cast

PACKAGE = "azure.core"
LEAVES = frozenset(
    {f"{PACKAGE}.credentials", f"{PACKAGE}.credentials_async", f"{PACKAGE}.exceptions"}
)


class _Imported:
    """A loader for a module the package's __init__ has just imported: that module."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module

    def create_module(self, _spec: ModuleSpec) -> ModuleType:
        return self.module

    def exec_module(self, _module: ModuleType) -> None:
        return None


class _InitFirst:
    """On sys.meta_path ahead of the other finders until the package's __init__ ran."""

    def __init__(self, run_init: Callable[[], None]) -> None:
        self.run_init = run_init

    def find_spec(
        self, fullname: str, _path: Sequence[str] | None = None, _target: object = None
    ) -> ModuleSpec | None:
        if not fullname.startswith(PACKAGE + ".") or fullname in LEAVES:
            return None
        self.run_init()
        module = sys.modules.get(fullname)
        if module is None:  # not imported by the __init__: found and loaded as usual
            return None
        # A loader in all but name (create_module/exec_module): importlib.abc is not
        # imported for its base class.
        return importlib.util.spec_from_loader(fullname, cast(Any, _Imported(module)))


def defer() -> None:
    """Import azure.core without running its __init__ until more than its leaves is used."""
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)  # imports the `azure` namespace package
    loader = spec.loader if spec is not None else None
    if spec is None or loader is None or spec.submodule_search_locations is None:
        return
    package = importlib.util.module_from_spec(spec)
    lock = threading.RLock()  # the wizard imports in worker threads
    ran: list[bool] = []

    def run_init() -> None:
        with lock:
            if ran:
                return
            ran.append(True)
            if finder in sys.meta_path:
                sys.meta_path.remove(finder)
            package.__dict__.pop("__getattr__", None)
            loader.exec_module(package)

    def __getattr__(name: str) -> object:
        # Only names the module does not have yet come here (PEP 562).
        run_init()
        try:
            return package.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}") from None

    finder = _InitFirst(run_init)
    package.__dict__["__getattr__"] = __getattr__
    sys.modules[PACKAGE] = package
    # What the import system sets on the parent after a load (`azure` is a namespace
    # package mypy knows no `core` attribute of).
    setattr(sys.modules["azure"], "core", package)  # noqa: B010
    sys.meta_path.insert(0, finder)
