"""One record seen through a narrower one: the fields they share, copied by name.

The fleet board shows a tenant's outcome as a `TenantProgress`, and the wizard the running
sandbox as a `SandboxInfo`: types of their own, so that screens depend on no more than
they show (import contracts), filled from the object that has those fields and more.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    R = TypeVar("R", bound=DataclassInstance)  # dataclasses.fields accepts only those
else:
    R = TypeVar("R")


def view_of(record: type[R], source: object, **given: Any) -> R:
    """A `record` (a dataclass) with each field read from `source`'s attribute of the same
    name, except the ones `given` (a value of another type, or computed)."""
    names = (f.name for f in dataclasses.fields(record))
    return record(**{n: getattr(source, n) for n in names if n not in given}, **given)
