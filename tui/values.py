"""The base of the few small immutable value types every headless command builds before
its first request: what `@dataclass(frozen=True)` gives them (equality and hash by their
fields' values, a repr naming the fields, FrozenInstanceError on assignment) without its
cost at import. Python 3.11's dataclasses generate and compile each class's methods when
the class is made: about 0.5 ms (3.4 M instructions, valgrind) for each frozen one, on
the path of a headless `adue plan` before the first request goes out
(bench/headless_plan.py). A subclass names its fields in `_fields`, in order, and its
`__init__` sets them with `_set`; copies and pickles behave as a frozen dataclass's.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any, ClassVar, dataclass_transform


# For type checkers, a subclass is a frozen dataclass (assigning a field is an error).
@dataclass_transform(frozen_default=True)
class Frozen:
    _fields: ClassVar[tuple[str, ...]] = ()

    def _set(self, **values: Any) -> None:
        self.__dict__.update(values)

    def _values(self) -> tuple[Any, ...]:
        fields = self.__dict__
        return tuple(fields[name] for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            assert isinstance(other, Frozen)
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={self.__dict__[name]!r}" for name in self._fields)
        return f"{self.__class__.__qualname__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")
