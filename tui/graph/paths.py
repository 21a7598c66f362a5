"""Where in Graph adue reads and the permissions each call needs (graph.md): what a
request is made of, apart from tui.graph.operations (which re-exports these and also reads
the answers into models), so that a read is made and sent before the code that decodes
its answer is imported (tui.rollout.first_round)."""

from __future__ import annotations


class Scope:
    """Delegated permissions per call (graph.md); a ReadWrite one also allows reading."""

    ORGANIZATION = ("Organization.Read.All",)
    SERVICE_CONFIG_READ = ("DeviceManagementServiceConfig.Read.All",)
    SERVICE_CONFIG_WRITE = ("DeviceManagementServiceConfig.ReadWrite.All",)
    APPS_READ = ("DeviceManagementApps.Read.All",)
    APPS_WRITE = ("DeviceManagementApps.ReadWrite.All",)
    CONFIG_READ = ("DeviceManagementConfiguration.Read.All",)
    CONFIG_WRITE = ("DeviceManagementConfiguration.ReadWrite.All",)
    GROUPS = ("Group.Read.All",)
    GROUP_MEMBERS = ("GroupMember.Read.All",)


CONFIGURATIONS = "deviceManagement/deviceConfigurations"
MOBILE_APPS = "deviceAppManagement/mobileApps"
PROFILES = "deviceManagement/appleUserInitiatedEnrollmentProfiles"
GROUP_FIELDS = "id,displayName,description,membershipRule,groupTypes"

# mobileDeviceManagementAuthority is not among /organization's default properties: Graph
# returns it only when $select names it (graph.md, "Prerequisite reads").
ORGANIZATION_QUERY = {"$select": "id,displayName,verifiedDomains,mobileDeviceManagementAuthority"}
