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


def admin_center_links(session: Mapping[str, Mapping[str, Any]]) -> list[AdminLink]:
    """A link per object the session says exists (ids written by apply), in step order."""
    tenant = session.get("tenant", {})
    try:
        host = get_cloud(str(tenant.get("cloud") or "global")).admin_center
    except ValueError:
        host = get_cloud("global").admin_center
    links: list[AdminLink] = []
    sso = session.get("sso_extension", {})
    if sso.get("policy_id"):
        links.append(
            AdminLink(
                "SSO app extension policy",
                str(sso.get("name", "")),
                str(sso["policy_id"]),
                f"{host}/{IOS_CONFIGURATION_PROFILES}",
                "Devices > iOS/iPadOS > Configuration: open the policy by its name",
            )
        )
    app = session.get("authenticator", {})
    if app.get("app_id"):
        app_id = str(app["app_id"])
        links.append(
            AdminLink(
                "Required app",
                "Microsoft Authenticator",
                app_id,
                f"{host}/{APP_PAGE.format(id=quote(app_id, safe=''))}",
                "Apps > iOS/iPadOS: the app's own page",
            )
        )
    clip = session.get("web_clip", {})
    if clip.get("app_id") and clip.get("enabled", True):
        clip_id = str(clip["app_id"])
        links.append(
            AdminLink(
                "Web clip",
                str(clip.get("name", "")),
                clip_id,
                f"{host}/{APP_PAGE.format(id=quote(clip_id, safe=''))}",
                "Apps > iOS/iPadOS: the app's own page",
            )
        )
    profile = session.get("enrollment_profile", {})
    if profile.get("profile_id"):
        links.append(
            AdminLink(
                "Enrollment profile",
                str(profile.get("name", "")),
                str(profile["profile_id"]),
                f"{host}/{IOS_ENROLLMENT}",
                # The admin center's current path (enrollment-facts.md).
                "Devices > By platform > iOS/iPadOS > Device onboarding > Enrollment >"
                " Enrollment types: open the profile by its name",
            )
        )
    return links
