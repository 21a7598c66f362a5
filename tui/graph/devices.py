"""Intune's managed iPhones and iPads: who has enrolled, and how (read-only, beta).

`GET /beta/deviceManagement/managedDevices`, scope DeviceManagementManagedDevices.Read.All
(Microsoft Graph, "List managedDevices"). Facts this module relies on, from Microsoft's
Graph reference (beta "managedDevice resource type", "deviceEnrollmentType enum type"):
- An account-driven User Enrollment reports `deviceEnrollmentType`
  `appleAccountDrivenUserEnrollment` (value 25). Only beta has that member: v1.0's enum
  ends with `appleUserEnrollmentWithServiceAccount` and then the evolvable sentinel, so
  v1.0 shows these devices as `unknownFutureValue`. Hence beta.
- `appleUserEnrollment` / `appleUserEnrollmentWithServiceAccount` are the profile-based
  User Enrollment with Company Portal (ended for new enrollments, enrollment-facts.md):
  not this rollout's enrollments.
- Every field read here is in the LIST's default property set (only hardwareInformation,
  udid, iccid, notes, ethernetMacAddress, physicalMemoryInBytes, activationLockBypassCode
  and bootstrapTokenEscrowed come back empty from a LIST); `$select` keeps pages small.
- Pages hold at most 1,000 devices, then `@odata.nextLink` (Microsoft's answer in
  microsoftgraph/powershell-intune-samples#2).
- `$filter` on `deviceEnrollmentType` is ignored by the service (all devices come back:
  microsoftgraph/microsoft-graph-docs-contrib#235) and `ne` acts like `eq`
  (microsoftgraph/microsoft-graph-docs#15693), so the server filters only on
  `operatingSystem eq` (iPads report `iOS` or `iPadOS`); enrollment type and owner are
  checked here, on every device.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from tui.graph import parse
from tui.graph.client import GraphClient
from tui.graph.models import BatchRead
from tui.graph.paging import CollectionRead, read_collections

MANAGED_DEVICES = "deviceManagement/managedDevices"
DEVICES_READ = ("DeviceManagementManagedDevices.Read.All",)
ACCOUNT_DRIVEN = "appleAccountDrivenUserEnrollment"
# Web-based device enrollment has no deviceEnrollmentType member of its own (beta enum,
# microsoft-graph-docs-contrib api-reference/beta/resources/intune-devices-
# deviceenrollmenttype.md: members 0-19, appleAccountDrivenUserEnrollment 25,
# unknownFutureValue 26; `webDeviceEnrollment` exists only in the *profile's*
# appleUserInitiatedEnrollmentType). Like Company Portal device enrollment it is a
# user-initiated device enrollment, `userEnrollment` ("User driven enrollment through BYOD
# channel"), of a personal device. What tells the two apart is the profile the device
# enrolled with, `enrollmentProfileName` ("Name of the enrollment profile assigned to the
# device ... empty string, indicating no enrollment profile was assigned"): a web-based
# enrollment names the web-based profile; a Company Portal one names a Company Portal
# profile or none. (A web-based profile no longer sends old iOS versions to Company
# Portal enrollment: Intune's minimum is iOS/iPadOS 17, enrollment-facts.md.)
DEVICE_ENROLLMENT = "userEnrollment"
APPLE_FILTER = "operatingSystem eq 'iOS' or operatingSystem eq 'iPadOS'"
DEVICE_FIELDS = (
    "id,userId,userPrincipalName,deviceName,operatingSystem,osVersion,model,"
    "managedDeviceOwnerType,deviceEnrollmentType,enrolledDateTime,lastSyncDateTime,"
    "complianceState,enrollmentProfileName"
)
PAGE_SIZE = 1000  # Intune's largest page


@parse.graph_names(
    owner_type="managedDeviceOwnerType",
    enrollment_type="deviceEnrollmentType",
    enrolled="enrolledDateTime",
    last_sync="lastSyncDateTime",
)
@dataclass(frozen=True)
class ManagedDevice:
    id: str
    user_id: str
    user_principal_name: str
    device_name: str
    operating_system: str
    os_version: str
    model: str
    owner_type: str  # managedDeviceOwnerType: unknown | company | personal
    enrollment_type: str  # deviceEnrollmentType
    enrolled: dt.datetime | None
    last_sync: dt.datetime | None
    compliance_state: str  # unknown | compliant | noncompliant | conflict | error | ...
    enrollment_profile_name: str = ""

    @property
    def account_driven(self) -> bool:
        """Enrolled through account-driven User Enrollment (what this rollout sets up)."""
        return self.enrollment_type == ACCOUNT_DRIVEN

    @property
    def device_enrollment(self) -> bool:
        """A personal device's user-initiated device enrollment: web-based or through the
        Company Portal app (Graph reports both as `userEnrollment`)."""
        return self.enrollment_type == DEVICE_ENROLLMENT and self.owner_type == "personal"

    def web_based(self, profile_name: str) -> bool:
        """Enrolled through web-based device enrollment with the profile `profile_name`,
        not through Company Portal device enrollment (see DEVICE_ENROLLMENT above)."""
        wanted = profile_name.strip()
        if not (wanted and self.device_enrollment):
            return False
        # Another profile's name, or none: Company Portal device enrollment.
        return self.enrollment_profile_name.strip() == wanted

    def enrolled_as(self, mode: str, profile_name: str = "") -> bool:
        """Enrolled the way a rollout in `mode` ([enrollment_profile] mode) enrolls devices:
        account-driven User Enrollment, or web-based device enrollment with the rollout's
        profile `profile_name` (Company Portal device enrollment does not count)."""
        if mode == "web-based":
            return self.web_based(profile_name)
        return self.account_driven

    def to_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "user_principal_name": self.user_principal_name,
            "device_name": self.device_name,
            "operating_system": self.operating_system,
            "os_version": self.os_version,
            "model": self.model,
            "owner_type": self.owner_type,
            "enrollment_type": self.enrollment_type,
            "enrolled": self.enrolled.isoformat() if self.enrolled else "",
            "last_sync": self.last_sync.isoformat() if self.last_sync else "",
            "compliance_state": self.compliance_state,
            "enrollment_profile_name": self.enrollment_profile_name,
        }


def managed_device(obj: parse.Json) -> ManagedDevice:
    return parse.decode(ManagedDevice, parse.entity(obj, "a managed device"))


def apple_devices_read(key: str = "managed_devices") -> CollectionRead:
    """The first page of every iPhone and iPad Intune manages, as a collection read (to
    page it in the same batches as other collections: tui.graph.paging)."""
    return CollectionRead(
        BatchRead(
            key,
            MANAGED_DEVICES,
            (
                ("$filter", APPLE_FILTER),
                ("$select", DEVICE_FIELDS),
                ("$top", str(PAGE_SIZE)),
            ),
        ),
        what="read Intune's managed iPhones and iPads",
        scopes=DEVICES_READ,
    )


async def list_apple_devices(client: GraphClient) -> tuple[ManagedDevice, ...]:
    """Every iPhone and iPad Intune manages, however enrolled (all pages, beta)."""
    read = apple_devices_read()
    found = await read_collections(client, [read], version="beta")
    return tuple(managed_device(d) for d in found[read.read.id])


def account_driven(devices: Iterable[ManagedDevice]) -> tuple[ManagedDevice, ...]:
    """The devices enrolled through account-driven User Enrollment."""
    return tuple(d for d in devices if d.account_driven)


def enrolled_through_profile(
    devices: Iterable[ManagedDevice], profile_name: str, mode: str = "account-driven"
) -> tuple[ManagedDevice, ...]:
    """Enrollments of the profile's kind (`mode`) that name this enrollment profile
    (`enrollmentProfileName`: the profile assigned to the device)."""
    wanted = profile_name.strip()
    return tuple(
        d
        for d in devices
        if d.enrolled_as(mode, wanted) and d.enrollment_profile_name.strip() == wanted
    )
