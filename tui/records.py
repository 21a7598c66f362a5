"""One record seen through a narrower one: the fields they share, copied by name.

The fleet board shows a tenant's outcome as a `TenantProgress`, and the wizard the running
sandbox as a `SandboxInfo`: types of their own, so that screens depend on no more than
they show (import contracts), filled from the object that has those fields and more.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, TypeVar

from tui.values import Frozen

R = TypeVar("R")


def _field_names(record: type[Any]) -> Iterable[str]:
    if issubclass(record, Frozen):  # the value types built before the first frame
        return record._fields
    return (f.name for f in dataclasses.fields(record))


def view_of(record: type[R], source: object, **given: Any) -> R:
    """A `record` (a dataclass or a tui.values.Frozen) with each field read from `source`'s
    attribute of the same name, except the ones `given` (a value of another type, or
    computed)."""
    names = _field_names(record)
    return record(**{n: getattr(source, n) for n in names if n not in given}, **given)
