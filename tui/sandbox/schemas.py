"""Schemas per `@odata.type` for everything adue writes, checked the way Graph checks them.

Graph (OData) refuses a body with a property its type does not define, a value of the
wrong type, an enum member it does not know, a missing required property, or (on PATCH)
a read-only property; the answer is 400 naming the property. Types adue only reads are
"open": known for `isof` and type casts, not checked property by property.

The types come from graph_schema.json, which scripts/derive_schemas.py (`make schemas`)
derives from Microsoft's Graph models (msgraph-beta-sdk for /beta, msgraph-sdk for
/v1.0); nothing here is typed by hand.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tui.sandbox.errors import GraphError, bad_request

NAMESPACE = "microsoft.graph."
# Derived from Microsoft's Graph models by scripts/derive_schemas.py (`make schemas`).
SCHEMA_FILE = Path(__file__).with_name("graph_schema.json")

_EDM_KINDS = {
    "Edm.String": "string",
    "Edm.Boolean": "bool",
    "Edm.Int32": "int32",
    "Edm.Double": "double",
    "Edm.DateTimeOffset": "datetime",
    # Carried as JSON strings; their inner format is not checked here.
    "Edm.Date": "string",
    "Edm.TimeOfDay": "string",
    "Edm.Duration": "string",
    "Edm.Guid": "string",
    "Edm.Binary": "string",
    "Edm.Untyped": "any",
}


@dataclass(frozen=True)
class Prop:
    kind: str  # string bool int32 double datetime enum complex any
    collection: bool = False
    ref: str = ""  # enum name or complex type name
    nullable: bool = True
    beta_only: bool = False
    read_only: bool = False
    max_items: int = 0


@dataclass(frozen=True)
class TypeDef:
    name: str
    base: str | None = None
    props: dict[str, Prop] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    abstract: bool = False
    beta_only: bool = False
    open: bool = False  # not checked property by property (adue never writes it)


@dataclass(frozen=True)
class Enum:
    members: tuple[str, ...]
    v1_members: tuple[str, ...]


def _prop(raw: dict[str, Any], enums: dict[str, Enum], type_beta_only: bool) -> Prop:
    declared = str(raw["type"])
    collection = declared.startswith("Collection(")
    inner = declared.removeprefix("Collection(").removesuffix(")")
    if inner.startswith("Edm."):
        kind, ref = _EDM_KINDS.get(inner, "any"), ""
    else:
        ref = inner.removeprefix(NAMESPACE)
        kind = "enum" if ref in enums else "complex"
    return Prop(
        kind,
        collection=collection,
        ref=ref,
        nullable=bool(raw.get("nullable", True)),
        beta_only=type_beta_only or bool(raw.get("beta_only", False)),
        read_only=bool(raw.get("read_only", False)),
        max_items=int(raw.get("max_items", 0)),
    )


@cache
def _schema() -> tuple[dict[str, TypeDef], dict[str, Enum]]:
    raw = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    enums = {
        name: Enum(tuple(e["members"]), tuple(e.get("v1_members", e["members"])))
        for name, e in raw["enums"].items()
    }
    types: dict[str, TypeDef] = {}
    for name, t in raw["types"].items():
        beta_only = bool(t.get("beta_only", False))
        types[name] = TypeDef(
            name,
            base=t.get("base"),
            props={k: _prop(p, enums, beta_only) for k, p in t.get("props", {}).items()},
            required=tuple(t.get("required", ())),
            abstract=bool(t.get("abstract", False)),
            beta_only=beta_only,
            open=bool(t.get("open", False)),
        )
    return types, enums


def types() -> dict[str, TypeDef]:
    return _schema()[0]


def enum_members(name: str, version: str) -> tuple[str, ...]:
    found = _schema()[1][name]
    return found.members if version == "beta" else found.v1_members


def short_name(odata_type: str) -> str:
    """`#microsoft.graph.iosVppApp` -> `iosVppApp`."""
    name = odata_type.lstrip("#")
    return name[len(NAMESPACE) :] if name.startswith(NAMESPACE) else name


def odata_type(name: str) -> str:
    return f"#{NAMESPACE}{name}"


def is_subtype(name: str, ancestor: str) -> bool:
    current: str | None = name
    while current is not None:
        if current == ancestor:
            return True
        definition = types().get(current)
        current = definition.base if definition else None
    return False


def object_is_of(obj: dict[str, Any], type_name: str) -> bool:
    """OData `isof`: the object's `@odata.type` is `type_name` or derives from it."""
    own = short_name(str(obj.get("@odata.type", "")))
    return is_subtype(own, short_name(type_name))


def available(name: str, version: str) -> bool:
    definition = types().get(name)
    return definition is not None and (version == "beta" or not definition.beta_only)


def all_props(name: str, version: str) -> dict[str, Prop]:
    chain: list[TypeDef] = []
    current: str | None = name
    while current is not None:
        definition = types()[current]
        chain.append(definition)
        current = definition.base
    props: dict[str, Prop] = {}
    for definition in reversed(chain):
        for key, prop in definition.props.items():
            if version == "beta" or not prop.beta_only:
                props[key] = prop
    return props


def required_props(name: str) -> list[str]:
    names: list[str] = []
    current: str | None = name
    while current is not None:
        definition = types()[current]
        names = [*definition.required, *names]
        current = definition.base
    return names


def is_open(name: str) -> bool:
    return types()[name].open


def _edm(prop: Prop) -> str:
    return {
        "string": "Edm.String",
        "bool": "Edm.Boolean",
        "int32": "Edm.Int32",
        "double": "Edm.Double",
        "datetime": "Edm.DateTimeOffset",
        "enum": f"{NAMESPACE}{prop.ref}",
        "complex": f"{NAMESPACE}{prop.ref}",
        "any": "Edm.Untyped",
    }[prop.kind]


def _wrong(where: str, prop: Prop, value: Any) -> GraphError:
    shown = value if isinstance(value, str | int | float | bool) else type(value).__name__
    return bad_request(
        f"Invalid value for property '{where}': cannot convert {shown!r} "
        f"to the expected type '{_edm(prop)}'."
    )


def resolve_type(body: dict[str, Any], declared: str, version: str, where: str) -> str:
    """The concrete type of `body`: its `@odata.type`, checked against the declared type."""
    raw = body.get("@odata.type")
    if raw is None:
        if types()[declared].abstract:
            label = where or "the request body"
            raise bad_request(
                f"An '@odata.type' annotation is required for {label}: "
                f"'{NAMESPACE}{declared}' is abstract; name a type derived from it."
            )
        return declared
    if not isinstance(raw, str):
        raise bad_request("The '@odata.type' annotation must be a string.")
    name = short_name(raw)
    if not available(name, version):
        raise bad_request(
            f"Cannot find the type '{raw.lstrip('#')}' in the model"
            + (" (it exists on /beta only)." if name in types() else ".")
        )
    if not is_subtype(name, declared):
        raise bad_request(
            f"The type '{NAMESPACE}{name}' is not compatible with the expected type "
            f"'{NAMESPACE}{declared}'" + (f" of property '{where}'." if where else ".")
        )
    if types()[name].abstract:
        raise bad_request(f"Cannot create an instance of the abstract type '{NAMESPACE}{name}'.")
    return name


def validate(
    body: Any, declared: str, version: str, *, update: bool = False, where: str = ""
) -> tuple[str, dict[str, Any]]:
    """Check `body` against `declared` (or the type its `@odata.type` names).

    Returns the concrete type and the body without read-only properties (Graph ignores
    those on create; on update they are refused).
    """
    if not isinstance(body, dict):
        raise bad_request(
            f"Invalid value for '{where or 'the request body'}': a JSON object was expected."
        )
    name = resolve_type(body, declared, version, where)
    if is_open(name):
        return name, dict(body)
    props = all_props(name, version)
    clean: dict[str, Any] = {}
    for key, value in body.items():
        if key == "@odata.type" or "@odata." in key:
            clean[key] = value
            continue
        path = f"{where}.{key}" if where else key
        prop = props.get(key)
        if prop is None:
            beta_note = ""
            if version != "beta" and key in all_props(name, "beta"):
                beta_note = " The property exists on /beta only."
            raise bad_request(
                f"The property '{key}' does not exist on type '{NAMESPACE}{name}'. Make sure "
                "to only use property names that are defined by the type or mark the type "
                f"as open type.{beta_note}"
            )
        if prop.read_only:
            if update:
                raise bad_request(
                    f"The property '{key}' is read-only on type '{NAMESPACE}{name}' "
                    "and cannot be set."
                )
            continue
        clean[key] = _check_value(value, prop, version, path)
    if not update:
        for key in required_props(name):
            if key not in body or body[key] is None:
                raise bad_request(
                    f"The required property '{key}' is missing on type '{NAMESPACE}{name}'."
                )
    return name, clean


def _check_value(value: Any, prop: Prop, version: str, where: str) -> Any:
    if value is None:
        if not prop.nullable:
            raise bad_request(
                f"A null value was found for the property named '{where}', which has the "
                f"expected type '{_edm(prop)}'. The expected type does not allow null values."
            )
        return None
    if prop.collection:
        if not isinstance(value, list):
            raise bad_request(
                f"Invalid value for property '{where}': a collection (JSON array) was expected."
            )
        if prop.max_items and len(value) > prop.max_items:
            raise bad_request(
                f"The collection '{where}' has {len(value)} elements; "
                f"at most {prop.max_items} are allowed."
            )
        single = Prop(prop.kind, ref=prop.ref, nullable=False)
        return [
            _check_value(item, single, version, f"{where}[{i}]") for i, item in enumerate(value)
        ]
    return _check_single(value, prop, version, where)


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


# What a JSON value of each scalar Edm kind must be (bool is an int to Python: excluded).
_SCALAR_OK: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "int32": lambda v: not isinstance(v, bool) and isinstance(v, int) and -(2**31) <= v < 2**31,
    "double": lambda v: not isinstance(v, bool) and isinstance(v, int | float),
    "datetime": _is_datetime,
}


def _check_single(value: Any, prop: Prop, version: str, where: str) -> Any:
    """One non-null value of `prop`'s kind: a scalar, an enum member or a complex value."""
    kind = prop.kind
    if kind in _SCALAR_OK:
        if not _SCALAR_OK[kind](value):
            raise _wrong(where, prop, value)
    elif kind == "enum":
        members = enum_members(prop.ref, version)
        if not isinstance(value, str) or value not in members:
            raise bad_request(
                f"The value {value!r} is not valid for property '{where}' of enum type "
                f"'{NAMESPACE}{prop.ref}'. Valid values: {', '.join(members)}."
            )
    elif kind == "complex":
        return validate(value, prop.ref, version, where=where)[1]
    return value


def project(obj: dict[str, Any], version: str) -> dict[str, Any]:
    """What GET returns for `obj` on `version`: v1.0 does not show beta-only properties,
    at any depth (e.g. an app assignment's `settings.uninstallOnDeviceRemoval`, which the
    v1.0 iosVppAppAssignmentSettings page does not have and the beta page does)."""
    if version == "beta":
        return obj
    name = short_name(str(obj.get("@odata.type", "")))
    if name not in types() or is_open(name):
        return obj
    props = all_props(name, "beta")
    return {
        key: _project_value(value, version)
        for key, value in obj.items()
        if key not in props or not props[key].beta_only
    }


def _project_value(value: Any, version: str) -> Any:
    if isinstance(value, dict) and "@odata.type" in value:
        return project(value, version)
    if isinstance(value, list):
        return [_project_value(v, version) for v in value]
    return value
