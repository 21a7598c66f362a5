"""Every body adue writes (tui/graph/payloads.py) against the schema derived from
Microsoft's Graph models (tui/sandbox/graph_schema.json, `make schemas`)."""

from __future__ import annotations

import importlib.util
import inspect
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgraph
import pytest

from tui.graph import payloads
from tui.graph.models import (
    AppAssignment,
    AppIntent,
    AssignmentTarget,
    EnrollmentProfileSpec,
    EnrollmentTypeOption,
    SsoPolicySpec,
    TargetKind,
)
from tui.sandbox.errors import GraphError
from tui.sandbox.schemas import SCHEMA_FILE, validate

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

TARGETS = (
    AssignmentTarget.group("8a1f0c7e-0000-4000-8000-000000000001"),
    AssignmentTarget.exclude("8a1f0c7e-0000-4000-8000-000000000002"),
    AssignmentTarget.all_users(),
    AssignmentTarget(TargetKind.GROUP, "8a1f0c7e-0000-4000-8000-000000000003", "f-1", "include"),
    AssignmentTarget(TargetKind.ALL_USERS, filter_id="f-2", filter_type="exclude"),
    AssignmentTarget(
        TargetKind.OTHER,
        odata_type="#microsoft.graph.configurationManagerCollectionAssignmentTarget",
        extra=(("collectionId", "SMS00001"),),
    ),
)
SSO_SPECS = (
    SsoPolicySpec("iOS – Entra ID SSO extension", "", ("com.contoso.expenses",)),
    SsoPolicySpec(" Padded name ", " text ", (" com.a ", "", "com.b"), False),
)
PROFILE_SPECS = (
    EnrollmentProfileSpec("iOS – account-driven user enrollment"),
    EnrollmentProfileSpec(
        "User choice",
        default_enrollment_type="unknown",
        options=(
            EnrollmentTypeOption("personal", "accountDrivenUserEnrollment"),
            EnrollmentTypeOption("company", "device"),
        ),
    ),
    EnrollmentProfileSpec("Web enrollment", default_enrollment_type="webDeviceEnrollment"),
)


def _app_assignments() -> Iterator[tuple[AppAssignment, ...]]:
    for intent in AppIntent:
        yield tuple(AppAssignment(t, intent, i % 2 == 0) for i, t in enumerate(TARGETS))
        # The web clip's: a web app's assignments carry no settings.
        yield tuple(AppAssignment(t, intent, settings_type="") for t in TARGETS)


WEB_APPS = (
    ("Company Portal", "https://portal.manage.microsoft.com/"),
    (" Padded ", "https://portal.manage.microsoft.us/"),
)


# builder name -> (type its body is declared as, Graph version adue sends it to, inputs)
BUILDERS: dict[str, tuple[str, str, Callable[[], Iterator[Any]]]] = {
    "sso_policy_body": ("deviceConfiguration", "beta", lambda: iter(SSO_SPECS)),
    "sso_extension_body": ("iosSingleSignOnExtension", "beta", lambda: iter(SSO_SPECS)),
    "configuration_assignments_body": (
        "deviceConfiguration.assign",
        "beta",
        lambda: iter([TARGETS, TARGETS[:1], ()]),
    ),
    "app_assignments_body": ("mobileApp.assign", "beta", _app_assignments),
    "enrollment_profile_body": (
        "appleUserInitiatedEnrollmentProfile",
        "beta",
        lambda: iter(PROFILE_SPECS),
    ),
    "target_body": ("deviceAndAppManagementAssignmentTarget", "beta", lambda: iter(TARGETS)),
    "web_app_body": ("mobileApp", "beta", lambda: iter(WEB_APPS)),
}
SPREAD = {"web_app_body"}  # builders taking several arguments (each input is a tuple of them)


def test_every_builder_in_payloads_is_checked_here() -> None:
    """A new payload builder must be added to BUILDERS, so its bodies get checked too."""
    builders = {
        name
        for name, fn in inspect.getmembers(payloads, inspect.isfunction)
        if name.endswith("_body")
        and not name.startswith("_")
        and fn.__module__ == payloads.__name__
    }
    assert builders == set(BUILDERS)


@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_every_body_adue_writes_matches_microsofts_schema(builder: str) -> None:
    declared, version, inputs = BUILDERS[builder]
    build = getattr(payloads, builder)
    checked = 0
    for given in inputs():
        body = build(*given) if builder in SPREAD else build(given)
        _, clean = validate(body, declared, version)
        # Nothing adue sends is silently dropped (read-only on create).
        assert clean == body, f"{builder}({given!r}) sends read-only fields"
        checked += 1
    assert checked


def test_profile_assignment_and_priority_bodies_match() -> None:
    # operations.add_profile_assignment and set_profile_priority post these (beta).
    for target in TARGETS:
        body = {"target": payloads.target_body(target)}
        assert validate(body, "appleEnrollmentProfileAssignment", "beta")[1] == body
    priority: dict[str, object] = {"priority": 3}
    assert (
        validate(priority, "appleUserInitiatedEnrollmentProfile.setPriority", "beta")[1] == priority
    )


def test_patch_bodies_are_valid_updates() -> None:
    """update_sso_policy / update_enrollment_profile send changed_fields of a built body."""
    before_sso = payloads.sso_policy_body(SSO_SPECS[0])
    after_sso = payloads.sso_policy_body(SSO_SPECS[1])
    patch = payloads.changed_fields(after_sso, before_sso, keep=("@odata.type",))
    assert patch
    assert validate(patch, "deviceConfiguration", "beta", update=True)[1] == patch
    before = payloads.enrollment_profile_body(PROFILE_SPECS[0])
    after = payloads.enrollment_profile_body(PROFILE_SPECS[1])
    patch = payloads.changed_fields(after, payloads.strip_read_only(before), keep=("@odata.type",))
    assert patch
    assert "platform" not in patch
    assert validate(patch, "appleUserInitiatedEnrollmentProfile", "beta", update=True)[1] == patch


@pytest.mark.parametrize(
    ("body", "declared", "version", "needle"),
    [
        # Unknown property, wrong type, missing required, bad enum: Graph's 400s.
        ({**payloads.sso_policy_body(SSO_SPECS[0]), "displayname": "x"}, "deviceConfiguration",
         "beta", "'displayname' does not exist"),
        ({"priority": "1"}, "appleUserInitiatedEnrollmentProfile.setPriority", "beta", "Edm.Int32"),
        ({"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget"}},
         "appleEnrollmentProfileAssignment", "beta", "'groupId' is missing"),
        ({**payloads.enrollment_profile_body(PROFILE_SPECS[0]), "platform": "ios"},
         "appleUserInitiatedEnrollmentProfile", "beta", "'platform'"),
        # The SSO extension property and the profile type exist on /beta only.
        (payloads.sso_policy_body(SSO_SPECS[0]), "deviceConfiguration", "v1.0",
         "exists on /beta only"),
        (payloads.enrollment_profile_body(PROFILE_SPECS[0]),
         "appleUserInitiatedEnrollmentProfile", "v1.0", "Cannot find the type"),
        # v1.0's assignment target has no filter properties (msgraph-sdk's v1.0 model).
        (payloads.app_assignments_body([AppAssignment(TARGETS[3])]), "mobileApp.assign", "v1.0",
         "'deviceAndAppManagementAssignmentFilterId' does not exist"),
    ],
)  # fmt: skip
def test_the_derived_schema_refuses_like_graph(
    body: Any, declared: str, version: str, needle: str
) -> None:
    with pytest.raises(GraphError) as caught:
        validate(body, declared, version)
    assert caught.value.status == 400
    assert needle in caught.value.message


def test_owner_type_is_microsofts_managed_device_owner_type() -> None:
    option = SCHEMA["types"]["appleOwnerTypeEnrollmentType"]["props"]["ownerType"]
    assert option["type"] == "microsoft.graph.managedDeviceOwnerType"
    assert {"company", "personal"} <= set(SCHEMA["enums"]["managedDeviceOwnerType"]["members"])


def test_the_file_holds_only_what_adue_writes_and_reads() -> None:
    """Small: the types reachable from adue's writes in full, the rest as open names."""
    assert SCHEMA_FILE.stat().st_size < 80_000
    full = {n for n, t in SCHEMA["types"].items() if not t.get("open")}
    assert {
        "iosDeviceFeaturesConfiguration",
        "iosAzureAdSingleSignOnExtension",
        "keyIntegerValuePair",
        "mobileAppAssignment",
        "iosVppAppAssignmentSettings",
        "appleUserInitiatedEnrollmentProfile",
        "mobileApp.assign",
    } <= full
    assert len(full) < 120


def _script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "derive_schemas", REPO / "scripts" / "derive_schemas.py"
    )
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _v1_own_fields(name: str, actions: dict[str, str]) -> set[str] | None:
    """The JSON names a v1.0 model (adue's msgraph-sdk) deserializes itself, read from its
    source without importing it (importing the models is slow); None: no such model."""
    root = Path(msgraph.__file__).parent / "generated"
    if "." in name:
        dotted = actions[name].rpartition(".")[0]
        path = root.joinpath(*dotted.split(".")).with_suffix(".py")
    else:
        path = root / "models" / (re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() + ".py")
    if not path.exists():
        return None
    source = path.read_text(encoding="utf-8")
    return set(re.findall(r'"([^"]+)": lambda n ', source)) - {"@odata.type"}


def test_beta_only_flags_match_msgraph_sdks_v1_models() -> None:
    """The file's v1.0 view is what Microsoft's v1.0 models (adue's msgraph-sdk) say."""
    actions = _script().ACTIONS
    for name, entry in SCHEMA["types"].items():
        own = _v1_own_fields(name, actions)
        assert (own is None) == bool(entry.get("beta_only")), name
        if own is not None and not entry.get("open"):
            props = entry.get("props", {})
            beta_only = {k for k, p in props.items() if p.get("beta_only")}
            assert beta_only.isdisjoint(own), name
            assert set(props) - beta_only == own - {"id"} or name == "entity", name
