"""The base of the small immutable value types every headless command builds before its
first request: what `@dataclass(frozen=True)` gives them (construction by position or
keyword with the class's defaults, equality and hash by their fields' values, a repr
naming the fields, FrozenInstanceError on assignment; for type checkers, a frozen
dataclass: typing.dataclass_transform) without its cost at import. Python 3.11's
dataclasses generate and compile each class's methods when the class is made: about
0.5 ms (3.4 M instructions, valgrind) for each frozen one, on the path of a headless
`adue plan` before its first request (bench/headless_plan.py). Here a class's fields are
read from its annotations once, and the methods are shared. Copies and pickles behave as
a frozen dataclass's. No `field(...)`: a default is a plain immutable value.
"""

from __future__ import annotations

from dataclasses import Field, FrozenInstanceError
from typing import Any, ClassVar, dataclass_transform


@dataclass_transform(frozen_default=True)
class Frozen:
    _fields: ClassVar[tuple[str, ...]] = ()  # every field in order, the base classes' first

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = [
            name
            for name, kind in vars(cls).get("__annotations__", {}).items()
            if not str(kind).startswith(("ClassVar", "typing.ClassVar"))
        ]
        cls._fields = (*cls._fields, *(name for name in own if name not in cls._fields))
        for name in own:
            # A default is shared by every instance, and `field(...)` means nothing here:
            # refused as the class is made, as dataclasses refuse a mutable default.
            default = vars(cls).get(name)
            if isinstance(default, list | dict | set | Field):
                raise TypeError(
                    f"{cls.__qualname__}.{name}: a default must be a plain immutable value"
                    f" (a tuple, not a {type(default).__name__})"
                )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        name = self.__class__.__qualname__
        if len(args) > len(fields):
            raise TypeError(f"{name}() takes {len(fields)} arguments, {len(args)} given")
        values = dict(zip(fields, args, strict=False))
        for key, value in kwargs.items():
            if key not in fields or key in values:
                raise TypeError(f"{name}() got an unexpected or repeated argument {key!r}")
            values[key] = value
        for key in fields[len(args) :]:
            if key not in values:
                try:
                    values[key] = getattr(self.__class__, key)  # the class's default
                except AttributeError:
                    raise TypeError(f"{name}() missing the argument {key!r}") from None
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
