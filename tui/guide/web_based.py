"""The guide's sections for web-based device enrollment (`[enrollment_profile] mode`).

Employees enroll in Safari and install a management profile in Settings: Microsoft
Learn "Set up web based device enrollment for iOS" (its "Prepare employees" steps and
known issues) and "Overview of Apple device enrollment"; what the organisation can see
on a personal device enrolled this way: "What information can my organization see when
I enroll my device?" (memdocs intune/user-help). The same SSO extension and Microsoft
Authenticator set up JIT registration as for account-driven User Enrollment.
"""

from __future__ import annotations

from collections.abc import Callable

from tui.guide.document import (
    WEB_ENROLLMENT_URL,
    Block,
    BulletList,
    Callout,
    Inline,
    Paragraph,
    QrCode,
    Section,
    StepList,
    Subsection,
    leave_section,
    plain,
    troubleshooting_section,
)
from tui.guide.settings import GuideSettings

Text = Callable[[str], Inline]
# (drawing name, step text key) pairs -> the numbered steps with their drawings
Steps = Callable[[tuple[tuple[str, str], ...]], StepList]


def web_sections(
    settings: GuideSettings, text: Text, help_blocks: tuple[Block, ...], steps: Steps
) -> tuple[Section, ...]:
    authenticator = "required" if settings.authenticator_required else "optional"
    return (
        Section(
            "before",
            text("before.title"),
            (
                BulletList((text("before.device"), text("web.before_account"), text("before.mfa"))),
                Callout("info", text("web.safari_title"), text("web.safari_body")),
                Callout(
                    "info",
                    text("web.authenticator_title"),
                    text(f"web.authenticator_{authenticator}"),
                ),
            ),
        ),
        Section(
            "enroll",
            text("steps.title"),
            (
                Paragraph(text("steps.intro")),
                # Drawings: tui/guide/illustrations/steps.py (the Authenticator, app and
                # Teams ones are the account-driven guide's: the same screens).
                steps(
                    (
                        ("web_open_safari", "web.open_safari"),
                        ("web_sign_in", "web.sign_in"),
                        ("web_download", "web.download"),
                        ("web_install", "web.install"),
                        (
                            f"authenticator_{authenticator}",
                            f"web.wait_authenticator_{authenticator}",
                        ),
                        ("approve_apps", "steps.approve_apps"),
                        ("teams", "steps.teams"),
                    )
                ),
                QrCode(WEB_ENROLLMENT_URL, plain(text("web.qr_label")), text("web.qr_caption")),
            ),
        ),
        Section(
            "privacy",
            text("privacy.title"),
            (
                Paragraph(text("web.privacy_intro")),
                Subsection(
                    text("privacy.can_title"),
                    (
                        BulletList(
                            (
                                text("web.can_see"),
                                text("web.can_apps"),
                                text("web.can_actions"),
                            )
                        ),
                    ),
                ),
                Subsection(
                    text("privacy.cannot_title"),
                    (BulletList((text("web.cannot_content"), text("web.cannot_apps"))),),
                ),
                Paragraph(text("privacy.portal")),
            ),
        ),
        leave_section(text, "web.leave_result"),
        troubleshooting_section(
            text,
            (
                ("web.browser_title", "web.browser_body"),
                ("web.expired_title", "web.expired_body"),
                ("troubleshooting.ios_title", "troubleshooting.ios_body"),
                ("troubleshooting.work_app_title", "web.work_app_body"),
                ("troubleshooting.mfa_title", "troubleshooting.mfa_body"),
            ),
        ),
        Section("help", text("help.title"), help_blocks),
    )
