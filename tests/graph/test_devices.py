"""Managed devices (tui.graph.devices) through the real SDK pipeline against the sandbox,
and the sandbox answering managedDevices like Graph (sources in tui/sandbox/routes_devices)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.graph.conftest import make_client
from tui.graph.devices import (
    ACCOUNT_DRIVEN,
    account_driven,
    enrolled_through_profile,
    list_apple_devices,
)
from tui.sandbox.seeds_enrolled import PROFILE, WEB_PROFILE, device
from tui.sandbox.server import RunningSandbox, start_sandbox


@pytest.fixture(scope="module")
def enrolled() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="enrolled") as sb:
        yield sb


def _names(devices: object) -> set[str]:
    return {d.device_name for d in devices}  # type: ignore[attr-defined]


async def test_reads_every_apple_device_and_tells_account_driven_ones(
    enrolled: RunningSandbox,
) -> None:
    client = make_client(enrolled)
    try:
        devices = await list_apple_devices(client)
    finally:
        await client.aclose()
    # The Windows laptop is filtered out by the server; everything Apple comes back.
    assert _names(devices) == {
        "Adele's iPhone",
        "Megan's iPhone",
        "Megan's iPad",
        "iPad",
        "Johanna's iPhone",
        "CONTOSO-IPHONE-117",
        "Isaiah's iPhone",
        "Diego's iPhone",
        "Grady's iPad",
        "LOBBY-IPHONE-01",
        "Patti's iPhone",
        "Alex's iPhone",
        "Lee's iPhone",
    }
    assert _names(account_driven(devices)) == {
        "Adele's iPhone",
        "Megan's iPhone",
        "Megan's iPad",
        "iPad",
        "Johanna's iPhone",
        "Diego's iPhone",
        "Grady's iPad",
    }
    assert len(enrolled_through_profile(devices, PROFILE)) == 5
    # Web-based: the personal device enrollments naming the web-based profile (destroy's
    # count), not the Company Portal ones (another profile's name, or none).
    assert _names(enrolled_through_profile(devices, WEB_PROFILE, "web-based")) == {"Patti's iPhone"}
    assert {d.device_name for d in devices if d.web_based(WEB_PROFILE)} == {"Patti's iPhone"}
    ipad = next(d for d in devices if d.device_name == "iPad")
    assert (ipad.operating_system, ipad.os_version, ipad.compliance_state) == (
        "iPadOS",
        "17.6",
        "noncompliant",
    )
    assert ipad.owner_type == "personal"
    assert ipad.enrolled
    assert ipad.last_sync
    (trip,) = enrolled.top_level_requests()
    assert trip.path == "/beta/$batch"  # beta: v1.0 has no appleAccountDrivenUserEnrollment


async def test_pages_of_1000_across_many_pages() -> None:
    with start_sandbox(seed="demo") as sb:
        now = dt.datetime.now(dt.UTC)
        with sb.lock:
            user = next(iter(sb.state.users.values()))
            for i in range(2_345):
                device(sb.state, f"d{i}", user, name=f"d{i}", enrolled=now, synced=now)
        client = make_client(sb)
        try:
            devices = await list_apple_devices(client)
        finally:
            await client.aclose()
        items = [r for r in sb.requests if r.in_batch]
    assert len(devices) == 2_345
    assert len({d.id for d in devices}) == 2_345
    assert len(items) == 3  # 1000 + 1000 + 345, each page inside a $batch
    assert all(r.path == "/beta/deviceManagement/managedDevices" for r in items)
    assert "$skiptoken" in items[1].query
    assert "$skiptoken" in items[2].query


# ---- the sandbox, like Graph --------------------------------------------------------------


async def _get(sb: RunningSandbox, url: str) -> dict[str, Any]:
    client = make_client(sb)
    try:
        response = await client.get_url(f"{sb.graph_url}{url}", what="read devices")
    finally:
        await client.aclose()
    body: dict[str, Any] = json.loads(response.body)
    return body


def _types(body: dict[str, Any]) -> set[str]:
    return {str(d["deviceEnrollmentType"]) for d in body["value"]}


async def test_sandbox_v1_shows_the_beta_only_enrollment_type_as_the_sentinel(
    enrolled: RunningSandbox,
) -> None:
    v1 = await _get(enrolled, "/v1.0/deviceManagement/managedDevices")
    beta = await _get(enrolled, "/beta/deviceManagement/managedDevices")
    assert ACCOUNT_DRIVEN not in _types(v1)
    assert "unknownFutureValue" in _types(v1)
    assert ACCOUNT_DRIVEN in _types(beta)


async def test_sandbox_ignores_an_enrollment_type_filter_and_reads_ne_as_eq(
    enrolled: RunningSandbox,
) -> None:
    everything = await _get(enrolled, "/beta/deviceManagement/managedDevices")
    by_type = await _get(
        enrolled,
        "/beta/deviceManagement/managedDevices?$filter=deviceEnrollmentType%20eq%20'appleBulkWithUser'",
    )
    assert len(by_type["value"]) == len(everything["value"]) == 14
    not_ios = await _get(
        enrolled, "/beta/deviceManagement/managedDevices?$filter=operatingSystem%20ne%20'iOS'"
    )
    assert {d["operatingSystem"] for d in not_ios["value"]} == {"iOS"}


async def test_sandbox_list_leaves_non_default_properties_empty(enrolled: RunningSandbox) -> None:
    listed = await _get(enrolled, "/beta/deviceManagement/managedDevices")
    corporate = next(d for d in listed["value"] if d["deviceName"] == "CONTOSO-IPHONE-117")
    assert corporate["hardwareInformation"] is None
    assert corporate["udid"] is None
    one = await _get(
        enrolled,
        f"/beta/deviceManagement/managedDevices/{corporate['id']}?$select=id,udid",
    )
    assert one["udid"]
