"""Intune's managed devices: `GET /deviceManagement/managedDevices` (and one by id).

Answers as Graph does (sources in tui/graph/devices.py's docstring):
- scope DeviceManagementManagedDevices.Read(Write).All (Graph's "List managedDevices");
- pages of at most 1,000 devices with `@odata.nextLink` (`$top` up to 1,000);
- `deviceEnrollmentType` `appleAccountDrivenUserEnrollment` exists in beta only; v1.0,
  whose enum ends before it, shows the evolvable sentinel `unknownFutureValue`;
- `$filter`: a comparison on `deviceEnrollmentType` is ignored (every device matches,
  microsoftgraph/microsoft-graph-docs-contrib#235) and `ne` compares like `eq`
  (microsoftgraph/microsoft-graph-docs#15693); `operatingSystem`, `userId`,
  `userPrincipalName`, `managedDeviceOwnerType`, `complianceState` compare normally;
- a LIST returns the "non-default" properties (hardwareInformation, udid, iccid, notes,
  ...) empty: only a GET by id with `$select` fills them (beta managedDevice resource).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tui.sandbox import odata
from tui.sandbox.errors import GraphError
from tui.sandbox.routing import Ctx, Reply, Route, collection, entity_set

DEVICES_READ = (
    "DeviceManagementManagedDevices.Read.All",
    "DeviceManagementManagedDevices.ReadWrite.All",
)
PAGE = 1000
MAX_TOP = 1000
BETA_ONLY_ENROLLMENT_TYPES = frozenset(
    {
        "azureAdJoinUsingAzureVmExtension",
        "androidEnterpriseDedicatedDevice",
        "androidEnterpriseFullyManaged",
        "androidEnterpriseCorporateWorkProfile",
        "androidAOSPUserOwnedDeviceEnrollment",
        "androidAOSPUserlessDeviceEnrollment",
        "appleAccountDrivenUserEnrollment",
    }
)
# Returned with their default value from a LIST (beta managedDevice resource type).
NON_DEFAULT = {
    "hardwareInformation": None,
    "activationLockBypassCode": None,
    "iccid": None,
    "udid": None,
    "notes": None,
    "ethernetMacAddress": None,
    "physicalMemoryInBytes": 0,
    "bootstrapTokenEscrowed": False,
}
IGNORED_FILTER_PROPERTIES = frozenset({"deviceEnrollmentType"})


def _as_graph(node: odata.Node) -> odata.Node:
    """The filter as the service applies it: ignored properties match everything, `ne`
    compares like `eq`."""
    if isinstance(node, odata.Compare):
        left = node.left
        if isinstance(left, odata.PropertyPath) and left.parts[0] in IGNORED_FILTER_PROPERTIES:
            return odata.Literal(True)
        return replace(node, op="eq") if node.op == "ne" else node
    if isinstance(node, odata.Logical):
        return replace(node, left=_as_graph(node.left), right=_as_graph(node.right))
    if isinstance(node, odata.Not):
        return replace(node, operand=_as_graph(node.operand))
    return node


def _view(ctx: Ctx, device: dict[str, Any], *, listed: bool) -> dict[str, Any]:
    shown = {"@odata.type": "#microsoft.graph.managedDevice", **device}
    if listed:
        shown.update({k: v for k, v in NON_DEFAULT.items() if k in shown})
    if ctx.version != "beta" and shown.get("deviceEnrollmentType") in BETA_ONLY_ENROLLMENT_TYPES:
        shown["deviceEnrollmentType"] = "unknownFutureValue"
    return shown


def list_devices(ctx: Ctx, _: dict[str, str]) -> Reply:
    devices = list(ctx.tenant.managed_devices.values())
    text = ctx.query.get("$filter")
    if text:
        node = _as_graph(odata.parse_filter(text))
        devices = [d for d in devices if node.eval(d, {}, lambda _o, _t: False)]
    return collection(
        ctx,
        devices,
        "deviceManagement/managedDevices",
        page_size=PAGE,
        max_top=MAX_TOP,
        shape=lambda d: _view(ctx, d, listed=True),
    )


def get_device(ctx: Ctx, p: dict[str, str]) -> Reply:
    device = ctx.tenant.managed_devices.get(p["id"])
    if device is None:
        raise GraphError(
            404, "ResourceNotFound", f"Resource '{p['id']}' of type 'managedDevice' was not found."
        )
    select = odata.parse_select(ctx.query.get("$select"))
    body = odata.apply_select(_view(ctx, device, listed=not select), select)
    return Reply(
        200,
        {"@odata.context": ctx.context_url("deviceManagement/managedDevices/$entity"), **body},
    )


def routes() -> list[Route]:
    return entity_set("/deviceManagement/managedDevices", list_devices, get_device, DEVICES_READ)
