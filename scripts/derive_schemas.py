#!/usr/bin/env python3
"""Derive the sandbox's payload schemas from Microsoft's own Graph models (`make schemas`).

Source of truth: the Kiota models in Microsoft's Python SDKs, which Microsoft generates
from Graph's CSDL metadata: msgraph-beta-sdk for /beta (installed by this script into a
throw-away venv: it is >600 MB and no part of adue or its tests) and msgraph-sdk, adue's
own dependency, for /v1.0 (which types and properties exist on v1.0 too).

For every type adue writes (ROOTS) the script reads the model class's
`get_field_deserializers()` by calling each field's deserializer with a recording parse
node (the call names the Edm kind, enum or class), follows complex types and every type
derived from them (a body may name any of them in `@odata.type`), and writes
tui/sandbox/graph_schema.json. Types adue only reads (READ_ONLY_ROOTS) are kept as a
hierarchy for `isof` and type casts, without properties.

What the Python models do not carry, and how it is filled in:
- integer width: Kiota's Python models read every integer with `get_int_value`; the
  integer properties of these types are Edm.Int32 in Microsoft's property tables.
- abstract: a type with derived types whose model has no `@odata.type` default (Kiota
  sets that default on the concrete derived types only).
- read-only and collection limits: from the property descriptions Microsoft generates
  into the models ("This property is read-only", "a maximum of 500 elements"), plus
  navigation properties (entity-typed: never written in a body).
- required and non-nullable properties: not in the models at all; NOT_NULL below lists
  them with the Microsoft page that says so.

Usage: python scripts/derive_schemas.py [--venv DIR] [--out FILE] [--check]
       (--venv reuses a venv that already has msgraph-beta-sdk; --check only compares.)
"""

from __future__ import annotations

import argparse
import enum
import importlib
import inspect
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BETA_SDK = "msgraph-beta-sdk==1.66.0"
REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tui" / "sandbox" / "graph_schema.json"
NS = "microsoft.graph."

# What adue writes (tui/graph/payloads.py): entity and complex types by name, and the
# bodies of the actions it posts (their request-body classes in the SDK).
ROOTS = (
    "iosDeviceFeaturesConfiguration",
    "deviceConfigurationAssignment",
    "mobileAppAssignment",
    "appleUserInitiatedEnrollmentProfile",
    "appleEnrollmentProfileAssignment",
    "webApp",  # the Company Portal web clip (tui/rollout/web_clip.py)
)
ACTIONS = {
    "deviceConfiguration.assign": "device_management.device_configurations.item.assign"
    ".assign_post_request_body.AssignPostRequestBody",
    "mobileApp.assign": "device_app_management.mobile_apps.item.assign"
    ".assign_post_request_body.AssignPostRequestBody",
    "appleUserInitiatedEnrollmentProfile.setPriority": "device_management"
    ".apple_user_initiated_enrollment_profiles.item.set_priority"
    ".set_priority_post_request_body.SetPriorityPostRequestBody",
}
# What adue only reads, lists with `isof(...)` or reaches through a type cast.
READ_ONLY_ROOTS = (
    "mobileApp",
    "deviceConfiguration",
    "deviceEnrollmentConfiguration",
    "directoryObject",
)

# Not in the SDK models: properties Graph refuses to take missing or null, per type.
# Sources: Microsoft Graph docs, "Create <type>" / "<type> resource type" pages (the
# properties the create example must carry; Graph answers 400 without them) and the
# CSDL's Nullable="false" on value types (Edm.Boolean/Int32/Double and enums are
# non-nullable unless the docs show them as nullable, e.g. iosVppAppAssignmentSettings'
# beta booleans "Boolean" with null allowed).
REQUIRED = {
    "deviceConfiguration": ("displayName",),
    "appleUserInitiatedEnrollmentProfile": ("displayName",),
    "groupAssignmentTarget": ("groupId",),
    "deviceConfigurationAssignment": ("target",),
    "appleEnrollmentProfileAssignment": ("target",),
    "mobileAppAssignment": ("intent", "target"),
    "keyTypedValuePair": ("key",),
    "mobileApp.assign": ("mobileAppAssignments",),
    # Intune's "Add web apps to Microsoft Intune": Name, Publisher and App URL are required.
    "webApp": ("displayName", "publisher", "appUrl"),
    "appleUserInitiatedEnrollmentProfile.setPriority": ("priority",),
}
NULLABLE_VALUES = {
    "iosVppAppAssignmentSettings": (
        "uninstallOnDeviceRemoval",
        "isRemovable",
        "preventManagedAppBackup",
        "preventAutoAppUpdate",
    ),
    "iosStoreAppAssignmentSettings": (
        "uninstallOnDeviceRemoval",
        "isRemovable",
        "preventManagedAppBackup",
    ),
    "iosDeviceFeaturesConfiguration": ("homeScreenGridWidth", "homeScreenGridHeight"),
}
NOT_NULL = {
    "deviceConfiguration": ("displayName",),
    "appleUserInitiatedEnrollmentProfile": ("displayName",),
    "groupAssignmentTarget": ("groupId",),
    "keyTypedValuePair": ("key",),
    "deviceConfigurationAssignment": ("target",),
    "appleEnrollmentProfileAssignment": ("target",),
    "mobileAppAssignment": ("target",),
    "webApp": ("displayName", "appUrl"),
}
VALUE_KINDS = frozenset({"Edm.Boolean", "Edm.Int32", "Edm.Double"})

_PRIMITIVES = {
    "get_str_value": "Edm.String",
    "get_bool_value": "Edm.Boolean",
    "get_int_value": "Edm.Int32",
    "get_float_value": "Edm.Double",
    "get_datetime_value": "Edm.DateTimeOffset",
    "get_date_value": "Edm.Date",
    "get_time_value": "Edm.TimeOfDay",
    "get_timedelta_value": "Edm.Duration",
    "get_uuid_value": "Edm.Guid",
    "get_bytes_value": "Edm.Binary",
}
_PRIMITIVE_CLASSES = {
    "str": "Edm.String",
    "bool": "Edm.Boolean",
    "int": "Edm.Int32",
    "float": "Edm.Double",
    "datetime": "Edm.DateTimeOffset",
    "date": "Edm.Date",
    "time": "Edm.TimeOfDay",
    "timedelta": "Edm.Duration",
    "UUID": "Edm.Guid",
    "bytes": "Edm.Binary",
}


# -- introspection (runs inside a venv that has the SDK) ---------------------------------
class RecordingNode:
    """A Kiota ParseNode that records which reader a field deserializer calls."""

    def __init__(self, odata_type: str = "") -> None:
        self.call: tuple[str, Any] | None = None
        self.odata_type = odata_type

    def get_child_node(self, _name: str) -> RecordingNode:
        return RecordingNode(self.odata_type)

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("get_"):
            raise AttributeError(name)

        def reader(*args: Any) -> Any:
            if name == "get_str_value" and self.odata_type:
                return self.odata_type
            self.call = (name, args[0] if args else None)
            return None

        return reader


def _camel(class_name: str) -> str:
    return class_name[0].lower() + class_name[1:]


def _comment_lines(cls: type) -> dict[str, str]:
    """attribute name -> the description Microsoft generated above it in the model."""
    try:
        lines = inspect.getsource(cls).splitlines()
    except (OSError, TypeError):
        return {}
    found: dict[str, str] = {}
    for above, line in itertools.pairwise(lines):
        match = re.match(r"\s{4}([a-z_0-9]+): ", line)
        if match and above.strip().startswith("#"):
            found[match.group(1)] = above.strip().lstrip("# ")
    return found


class Introspector:
    def __init__(self, package: str) -> None:
        self.package = package
        self.models = importlib.import_module(f"{package}.generated.models")
        self.entity = importlib.import_module(f"{package}.generated.models.entity").Entity
        self.names: dict[type, str] = {}

    def model_class(self, name: str) -> type | None:
        module = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        for candidate in (module, module.replace("i_o_s", "ios")):
            try:
                mod = importlib.import_module(f"{self.package}.generated.models.{candidate}")
            except ModuleNotFoundError:
                continue
            cls = getattr(mod, name[0].upper() + name[1:], None)
            if cls is None:  # Kiota spells some acronyms its own way (IosVppApp, MacOS...)
                cls = next(
                    (
                        c
                        for c in vars(mod).values()
                        if inspect.isclass(c) and c.__module__ == mod.__name__
                    ),
                    None,
                )
            if cls is not None:
                return cls
        return None

    def name_of(self, cls: type) -> str:
        if cls in self.names:
            return self.names[cls]
        default = getattr(cls, "odata_type", None)
        name = default.removeprefix(f"#{NS}") if isinstance(default, str) else _camel(cls.__name__)
        self.names[cls] = name
        return name

    def derived(self, cls: type) -> list[type]:
        """The types Microsoft maps `@odata.type` values to in this class's factory."""
        try:
            source = inspect.getsource(cls.create_from_discriminator_value)
        except (OSError, TypeError, AttributeError):
            return []
        found: list[type] = []
        for value in re.findall(r'"#microsoft\.graph\.([A-Za-z0-9_]+)"', source):
            made = cls.create_from_discriminator_value(RecordingNode(f"#{NS}{value}"))
            if type(made) is not cls:
                self.names[type(made)] = value
                found.append(type(made))
        return found

    def base_of(self, cls: type) -> type | None:
        for base in cls.__mro__[1:]:
            if hasattr(base, "get_field_deserializers") and base.__module__.startswith(
                self.package
            ):
                return base
        return None

    def fields(self, cls: type) -> dict[str, dict[str, Any]]:
        instance = cls()
        comments = _comment_lines(cls)
        result: dict[str, dict[str, Any]] = {}
        for key, deserialize in instance.get_field_deserializers().items():
            node = RecordingNode()
            deserialize(node)
            if node.call is None:
                continue
            method, arg = node.call
            # The deserializer is `lambda n: setattr(self, 'attr_name', n.get_...())`.
            attr = next((c for c in deserialize.__code__.co_consts if isinstance(c, str)), "")
            result[key] = self._field(method, arg, comments.get(attr, ""))
        return result

    def _field(self, method: str, arg: Any, description: str) -> dict[str, Any]:
        collection = method.startswith("get_collection_of_")
        if method in _PRIMITIVES:
            edm, kind = _PRIMITIVES[method], "primitive"
        elif method == "get_collection_of_primitive_values":
            edm, kind = (
                _PRIMITIVE_CLASSES.get(getattr(arg, "__name__", ""), "Edm.Untyped"),
                "primitive",
            )
        elif method in ("get_enum_value", "get_collection_of_enum_values"):
            edm, kind = arg, "enum"
        elif method in ("get_object_value", "get_collection_of_object_values"):
            edm, kind = arg, "entity" if issubclass(arg, self.entity) else "complex"
        else:
            edm, kind = "Edm.Untyped", "primitive"
        return {
            "edm": edm,
            "kind": kind,
            "collection": collection,
            "read_only": bool(re.search(r"read-?only", description, re.IGNORECASE)),
            "max_items": int(m.group(1))
            if (m := re.search(r"maximum of (\d+) elements", description))
            else 0,
        }


def _action_class(package: str, action: str) -> type | None:
    module, _, class_name = ACTIONS[action].rpartition(".")
    try:
        found: type = getattr(importlib.import_module(f"{package}.generated.{module}"), class_name)
    except (ModuleNotFoundError, AttributeError):
        return None
    return found


def presence(package: str, names: list[str], enum_names: list[str]) -> dict[str, Any]:
    """Which of `names` exist in `package` (the v1.0 SDK), with their own property names."""
    spy = Introspector(package)
    types: dict[str, Any] = {}
    for name in names:
        cls = _action_class(package, name) if "." in name else spy.model_class(name)
        if cls is None or ("." not in name and spy.name_of(cls) != name):
            continue
        base = spy.base_of(cls)
        inherited = set(base().get_field_deserializers()) if base is not None else set()
        own = [k for k in cls().get_field_deserializers() if k not in inherited]
        types[name] = {"props": {k: {} for k in own}}
    enums: dict[str, list[str]] = {}
    for name in enum_names:
        cls = spy.model_class(name)
        if cls is not None and issubclass(cls, enum.Enum):
            enums[name] = [m.value for m in cls]
    version = importlib.import_module(f"{package}._version")
    return {"version": getattr(version, "VERSION", ""), "types": types, "enums": enums}


def introspect(package: str) -> dict[str, Any]:
    """Every type reachable from ROOTS/ACTIONS (full) and READ_ONLY_ROOTS (hierarchy)."""
    spy = Introspector(package)
    types: dict[str, dict[str, Any]] = {}
    enums: dict[str, list[str]] = {}
    pending: list[tuple[str, type]] = []
    for root in ROOTS:
        cls = spy.model_class(root)
        if cls is not None:
            pending.append((spy.name_of(cls), cls))
    for action in ACTIONS:
        cls = _action_class(package, action)
        if cls is None:
            continue
        spy.names[cls] = action
        pending.append((action, cls))

    descended: set[str] = set()

    def add(name: str, cls: type, *, full: bool, descend: bool = True) -> None:
        """`cls`, its ancestors and (when it is a declared type: `descend`) its subtypes."""
        known = types.get(name)
        if known and (known["full"] or not full) and (name in descended or not descend):
            return
        base = spy.base_of(cls)
        if known is None or (full and not known["full"]):
            has_default = isinstance(getattr(cls, "odata_type", None), str)
            subtypes_exist = bool(spy.derived(cls))
            known = {
                "base": spy.name_of(base) if base is not None else None,
                "abstract": subtypes_exist and not has_default and "." not in name,
                "full": full,
                "props": {},
            }
            types[name] = known
            if full:
                _add_props(name, cls, base, known)
        if base is not None:
            add(spy.name_of(base), base, full=full, descend=False)
        if descend:
            descended.add(name)
            for sub in spy.derived(cls):
                add(spy.name_of(sub), sub, full=full)

    def _add_props(name: str, cls: type, base: type | None, entry: dict[str, Any]) -> None:
        inherited = set(base().get_field_deserializers()) if base is not None else set()
        for key, field in spy.fields(cls).items():
            if key in inherited:
                continue
            edm = field["edm"]
            if field["kind"] == "enum":
                enum_name = _camel(edm.__name__)
                enums[enum_name] = [m.value for m in edm if isinstance(m, enum.Enum)]
                field["edm"] = f"{NS}{enum_name}"
            elif field["kind"] == "complex" or (field["kind"] == "entity" and "." in name):
                # An action's parameters carry whole entities (the assignments to post).
                field["kind"] = "complex"
                ref = spy.name_of(edm)
                field["edm"] = f"{NS}{ref}"
                add(ref, edm, full=True)
            elif field["kind"] == "entity":
                # A navigation property: its entity is never written in the body.
                field["edm"] = f"{NS}{spy.name_of(edm)}"
            entry["props"][key] = field

    for name, cls in pending:
        add(name, cls, full=True)
    for root in READ_ONLY_ROOTS:
        cls = spy.model_class(root)
        if cls is not None:
            add(spy.name_of(cls), cls, full=False)
    version = importlib.import_module(f"{package}._version")
    return {
        "package": package,
        "version": getattr(version, "VERSION", ""),
        "types": types,
        "enums": enums,
    }


# -- merging beta with v1.0 and the facts the models lack ---------------------------------
def merge(beta: dict[str, Any], v1: dict[str, Any]) -> dict[str, Any]:
    types: dict[str, Any] = {}
    for name in sorted(beta["types"]):
        entry = beta["types"][name]
        on_v1 = v1["types"].get(name)
        out: dict[str, Any] = {}
        if entry["base"]:
            out["base"] = entry["base"]
        if entry["abstract"]:
            out["abstract"] = True
        if on_v1 is None:
            out["beta_only"] = True
        if not entry["full"]:
            out["open"] = True
        props: dict[str, Any] = {}
        v1_props = on_v1["props"] if on_v1 else {}
        for key in sorted(entry["props"]):
            field = entry["props"][key]
            prop: dict[str, Any] = {
                "type": f"Collection({field['edm']})" if field["collection"] else field["edm"]
            }
            if on_v1 is not None and key not in v1_props:
                prop["beta_only"] = True
            if field["read_only"] or field["kind"] == "entity" or key in ("id", "@odata.type"):
                prop["read_only"] = True
            if field["max_items"]:
                prop["max_items"] = field["max_items"]
            value_type = field["edm"] in VALUE_KINDS or field["kind"] == "enum"
            if not field["collection"] and (
                (value_type and key not in NULLABLE_VALUES.get(name, ()))
                or key in NOT_NULL.get(name, ())
            ):
                prop["nullable"] = False
            props[key] = prop
        props.pop("@odata.type", None)
        if props:
            out["props"] = props
        if name in REQUIRED:
            out["required"] = list(REQUIRED[name])
        types[name] = out
    enums: dict[str, Any] = {}
    for name in sorted(beta["enums"]):
        members = beta["enums"][name]
        entry: dict[str, Any] = {"members": members}
        v1_members = v1["enums"].get(name)
        if v1_members is not None and v1_members != members:
            entry["v1_members"] = v1_members
        enums[name] = entry
    return {
        "about": (
            "Generated by scripts/derive_schemas.py (make schemas) from Microsoft's Graph "
            "models: do not edit by hand."
        ),
        "sources": {
            "beta": f"msgraph-beta-sdk {beta['version']}",
            "v1.0": f"msgraph-sdk {v1['version']}",
        },
        "types": types,
        "enums": enums,
    }


def render(schema: dict[str, Any]) -> str:
    """JSON with one type or enum a line: small, and a regeneration diffs line by line."""

    def table(entries: dict[str, Any]) -> str:
        rows = [
            f"  {json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in entries.items()
        ]
        return "{\n" + ",\n".join(rows) + "\n }"

    head = {k: v for k, v in schema.items() if k not in ("types", "enums")}
    lines = [f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in head.items()]
    lines.append(f' "types": {table(schema["types"])}')
    lines.append(f' "enums": {table(schema["enums"])}')
    return "{\n" + ",\n".join(lines) + "\n}\n"


# -- orchestration ------------------------------------------------------------------------
def _run_introspection(python: str, package: str, names: Any = None) -> dict[str, Any]:
    done = subprocess.run(
        [python, str(Path(__file__).resolve()), "--introspect", package],
        check=True,
        capture_output=True,
        text=True,
        input=json.dumps(names) if names is not None else "",
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _beta_python(venv: Path) -> str:
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    has_it = (
        subprocess.run([str(python), "-c", "import msgraph_beta"], capture_output=True).returncode
        == 0
    )
    if not has_it:
        print(f"installing {BETA_SDK} into {venv} (a few minutes, ~700 MB) ...", file=sys.stderr)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", BETA_SDK],
            check=True,
        )
    return str(python)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--introspect", help=argparse.SUPPRESS)
    parser.add_argument("--venv", type=Path, help="reuse this venv for msgraph-beta-sdk")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="fail if --out is out of date")
    args = parser.parse_args(argv)
    if args.introspect:
        asked = sys.stdin.read()
        if asked:
            wanted = json.loads(asked)
            found = presence(args.introspect, wanted["types"], wanted["enums"])
        else:
            found = introspect(args.introspect)
        json.dump(found, sys.stdout, default=str)
        return 0
    with tempfile.TemporaryDirectory(prefix="adue-schemas-") as scratch:
        venv = args.venv or Path(scratch) / "venv"
        beta = _run_introspection(_beta_python(venv), "msgraph_beta")
    asked = {"types": sorted(beta["types"]), "enums": sorted(beta["enums"])}
    v1 = _run_introspection(sys.executable, "msgraph", asked)
    schema = merge(beta, v1)
    text = render(schema)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run `make schemas`", file=sys.stderr)
            return 1
        return 0
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, args.out)
    print(f"wrote {args.out} ({len(text.encode())} bytes, {len(merge(beta, v1)['types'])} types)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
