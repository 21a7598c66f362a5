"""The Prerequisites step shows the compatibility audit as a warning, literally: on the
`incompatible` seed, for a session targeting BYOD pilot, the nine unsupported objects
that reach BYOD pilot (a device-wide VPN, a SCEP profile with the serial number for all
users, an App Store app; device restrictions through the parent group Mobile workforce,
a supervised lockdown for all devices, an App Store app through Contoso staff, a
device-wide VPN through Sales iPhones, which shares a member, a per-app VPN with Safari
domains and a device-licensed VPP app through All iOS users, which shares three) and
none of the others
(tui/sandbox/seeds_incompatible.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from screens.prerequisites import CheckRow
from tui.app import AdueApp
from tui.backend import Backend, WizardOptions
from tui.sandbox.server import start_sandbox

from .late_steps_support import new_session, until


async def test_prerequisites_show_each_unsupported_profile_and_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with start_sandbox(seed="incompatible") as sb:
        monkeypatch.setenv("ADUE_ACCESS_TOKEN", sb.token)
        session = new_session(tmp_path, "prerequisites")  # targets BYOD pilot
        backend = Backend(session, WizardOptions(auth="token"), running_sandbox=sb)
        backend.sign_in(lambda _: None, threading.Event())
        app = AdueApp(session, backend=backend)
        async with app.run_test(size=(120, 60)) as pilot:
            await until(pilot, lambda: bool(app.query("#check-user_enrollment_compatibility")))
            row = app.query_one("#check-user_enrollment_compatibility", CheckRow)
            assert row.has_class("check-warn")
            text = row.text
            assert "9 assigned to the rollout's users that User Enrollment does not support" in (
                text
            )
            assert (
                "- profile 'iOS – Always-on corporate VPN' (group 'BYOD pilot'): a device-wide"
                " VPN: User Enrollment supports per-app VPN only. On the device: the profile"
                " fails on user-enrolled devices with 0x87d136cd (not applicable)." in text
            )
            assert "- profile 'iOS – Wi-Fi certificate (serial)' (all users)" in text
            assert "- app 'Contoso Notes (App Store)' (group 'BYOD pilot')" in text
            assert (
                "- profile 'iOS – Corporate device restrictions' (group 'Mobile workforce'"
                " (contains 'BYOD pilot')): device restrictions User Enrollment does not"
                " support (need a supervised device: Block camera;" in text
            )
            assert "- profile 'iOS – Supervised lockdown' (all devices)" in text
            assert (
                "- profile 'iOS – Sales always-on VPN' (group 'Sales iPhones' (also has 1 of"
                " the rollout's users, e.g. 'Adele Vance')): a device-wide VPN" in text
            )
            assert "Sales Deck" not in text  # excludes BYOD pilot
            # All iOS users shares Adele, Megan and Pradeep with BYOD pilot.
            assert (
                "- profile 'iOS – Per-app VPN with Safari' (group 'All iOS users' (also has 3"
                " of the rollout's users, e.g. 'Adele Vance', 'Megan Bowen')):" in text
            )
            assert "- app 'Zoom (device licence)' (group 'All iOS users' (also has 3" in text
            assert "- app 'Contoso Travel (App Store)' (group 'Contoso staff' (contains" in text
            others = ("Slack", "Legal", "LOB", "Survey")
            for other in (*others, "BYOD restrictions", "Lobby kiosk"):
                assert other not in text
            assert "check-user_enrollment_compatibility" in [r.id for r in app.query(".check-warn")]
