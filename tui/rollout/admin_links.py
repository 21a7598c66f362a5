"""Links into the Intune admin center for the objects adue manages, on the tenant's cloud.

The app page is addressed by the app's id (a link admins and tools share widely).
Configuration profiles and Apple enrollment profiles have no documented
per-object address, so those links open the iOS/iPadOS list that holds the object
and the summary names the object to click.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from tui.graph.clouds import get_cloud

IOS_CONFIGURATION_PROFILES = "#view/Microsoft_Intune_DeviceSettings/DevicesIosMenu/~/configProfiles"
IOS_ENROLLMENT = "#view/Microsoft_Intune_DeviceSettings/DevicesIosMenu/~/iosEnrollment"
APP_PAGE = "#view/Microsoft_Intune_Apps/SettingsMenu/~/0/appId/{id}"


@dataclass(frozen=True)
class AdminLink:
    what: str  # e.g. "SSO app extension policy"
    name: str  # the object's display name
    object_id: str
    url: str
    where: str  # how to reach the object from the page the link opens


_APP_WHERE = "Apps > iOS/iPadOS: the app's own page"
# Per session table, in step order: the key of the id apply writes, what the object is, its
# name ("" = the table's `name`), the page (None = the app's own page) and how to reach it.
_LINKS: tuple[tuple[str, str, str, str, str | None, str], ...] = (
    (
        "sso_extension",
        "policy_id",
        "SSO app extension policy",
        "",
        IOS_CONFIGURATION_PROFILES,
        "Devices > iOS/iPadOS > Configuration: open the policy by its name",
    ),
    ("authenticator", "app_id", "Required app", "Microsoft Authenticator", None, _APP_WHERE),
    ("web_clip", "app_id", "Web clip", "", None, _APP_WHERE),
    (
        "enrollment_profile",
        "profile_id",
        "Enrollment profile",
        "",
        IOS_ENROLLMENT,
        # The admin center's current path (enrollment-facts.md).
        "Devices > By platform > iOS/iPadOS > Device onboarding > Enrollment >"
        " Enrollment types: open the profile by its name",
    ),
)


def admin_center_links(session: Mapping[str, Mapping[str, Any]]) -> list[AdminLink]:
    """A link per object the session says exists (ids written by apply), in step order."""
    tenant = session.get("tenant", {})
    try:
        host = get_cloud(str(tenant.get("cloud") or "global")).admin_center
    except ValueError:
        host = get_cloud("global").admin_center
    links: list[AdminLink] = []
    for table, id_key, what, name, page, where in _LINKS:
        section = session.get(table, {})
        # A web clip turned off ([web_clip] enabled = false) is not part of the rollout.
        if not section.get(id_key) or not section.get("enabled", True):
            continue
        object_id = str(section[id_key])
        url = APP_PAGE.format(id=quote(object_id, safe="")) if page is None else page
        links.append(
            AdminLink(what, name or str(section.get("name", "")), object_id, f"{host}/{url}", where)
        )
    return links
