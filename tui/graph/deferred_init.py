"""A package's __init__, deferred until more of the package than a few leaf modules is used.

Some packages' __init__ imports the whole package, when the one caller on a headless
path needs only leaves that import nothing else of it (tui.graph.deferred_azure_core,
tui.graph.deferred_urllib3). `defer()` registers the package as the package it is (its
path, spec and loader) without running its __init__, so its leaves import as usual. The
__init__ runs, in the same module object, before anything else of the package is used: a
name only it defines (`from azure.core import CaseInsensitiveEnumMeta`) or any other
submodule (whose modules expect the package imported first, as a plain import has it).
From then on the package is what a plain import would have made. Once the package is
imported, `defer()` does nothing. Called in a headless command's one thread: the
wizard's worker threads import as usual.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any, cast


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

    def __init__(self, package: str, leaves: frozenset[str], run_init: Callable[[], None]) -> None:
        self.package = package
        self.leaves = leaves
        self.run_init = run_init

    def find_spec(
        self, fullname: str, _path: Sequence[str] | None = None, _target: object = None
    ) -> ModuleSpec | None:
        if not fullname.startswith(self.package + ".") or fullname in self.leaves:
            return None
        self.run_init()
        module = sys.modules.get(fullname)
        if module is None:  # not imported by the __init__: found and loaded as usual
            return None
        # A loader in all but name (create_module/exec_module): importlib.abc is not
        # imported for its base class.
        return importlib.util.spec_from_loader(fullname, cast(Any, _Imported(module)))


def defer(
    package: str,
    leaves: frozenset[str],
    *,
    names: Mapping[str, str] | None = None,
    parent_init: Callable[[], None] | None = None,
) -> Callable[[], None] | None:
    """Import `package` without running its __init__ until more than its `leaves` is used.

    `names`: names the __init__ would take from a leaf (name -> leaf module), put in
    the package at once for a caller that imports them from the package. `parent_init`:
    the deferred __init__ of the package this one is in, run first (as a plain import
    runs them). Returns what runs the __init__, or None when the package
    was imported already or is not installed."""
    if package in sys.modules:
        return None
    spec = importlib.util.find_spec(package)  # imports the parent package
    loader = spec.loader if spec is not None else None
    if spec is None or loader is None or spec.submodule_search_locations is None:
        return None
    module = importlib.util.module_from_spec(spec)
    lock = threading.RLock()  # the wizard imports in worker threads
    ran: list[bool] = []

    def run_init() -> None:
        with lock:
            if ran:
                return
            if parent_init is not None:
                # As a plain import: the parent's __init__ first, which may import this
                # package on its way (then this __init__ ran inside it, in its place).
                parent_init()
                if ran:
                    return
            ran.append(True)
            if finder in sys.meta_path:
                sys.meta_path.remove(finder)
            module.__dict__.pop("__getattr__", None)
            loader.exec_module(module)

    def __getattr__(name: str) -> object:
        # Only names the module does not have yet come here (PEP 562).
        run_init()
        try:
            return module.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

    finder = _InitFirst(package, leaves, run_init)
    module.__dict__["__getattr__"] = __getattr__
    sys.modules[package] = module
    parent, _, child = package.rpartition(".")
    if parent:
        # What the import system sets on the parent after a load.
        setattr(sys.modules[parent], child, module)
    sys.meta_path.insert(0, finder)
    for name, leaf in (names or {}).items():
        module.__dict__[name] = getattr(importlib.import_module(leaf), name)
    return run_init
