"""The progress report as text lines: `adue progress` and the wizard's Progress view."""

from __future__ import annotations

from typing import Any

from tui.progress.report import ProgressReport

SHOWN = 25  # users listed per section (JSON and CSV carry everyone)


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


def report_lines(report: ProgressReport) -> list[str]:
    """The text report (the command's, and the wizard's Progress view)."""
    web = report.mode == "web-based"
    kind = "web-based device enrollment" if web else "account-driven User Enrollment"
    others = (
        "Company Portal device enrollment, account-driven or corporate enrollments"
        if web
        else "device enrollment, the old Company Portal user enrollment"
    )
    lines = [f"Rollout progress: {kind}, read {report.read_at.strftime('%Y-%m-%d %H:%M')} UTC"]
    scope = "all users" if report.all_users else f"{len(report.groups)} group(s)"
    lines.append(f"Targeted users: {report.targeted} ({scope}, nested members included)")
    lines.append(
        f"Enrolled: {len(report.enrolled)} ({report.percent}%) · still to enroll: "
        f"{len(report.to_enroll)}"
    )
    only_other = [u for u in report.to_enroll if u.other_devices]
    if only_other:
        lines.append(
            f"  {len(only_other)} of those still to enroll have only other enrollments"
            f" ({others}): not counted"
        )
    if report.outside_enrolled:
        lines.append(
            f"  {report.outside_enrolled} {'such' if web else 'account-driven'} enrollment(s)"
            " belong to users the"
            " rollout does not target: not counted"
        )
    for note in report.notes:
        lines.append(f"note: {note}")
    if report.groups:
        lines.append("By group:")
        for g in report.groups:
            share = round(100 * g.enrolled / g.targeted) if g.targeted else 0
            lines.append(f"  {g.enrolled:>6} / {g.targeted:<6} ({share:>3}%)  {g.name}")
    days = report.per_day()
    if days:
        lines.append("By day (first enrolled device, UTC):")
        lines += [f"  {day.isoformat()}  {count}" for day, count in days]
    if report.enrolled:
        lines.append(f"Enrolled ({len(report.enrolled)}; first {SHOWN} shown):")
        for u in report.enrolled[:SHOWN]:
            for d in u.devices:
                lines.append(
                    f"  {u.user.label}  {d.device_name} · {d.operating_system} {d.os_version}"
                    f" · {d.owner_type or 'unknown'} · last check-in {_when(d.last_sync)}"
                    f" · {d.compliance_state or 'unknown'}"
                )
    if report.to_enroll:
        lines.append(f"Still to enroll ({len(report.to_enroll)}; first {SHOWN} shown):")
        for u in report.to_enroll[:SHOWN]:
            other = f"  (other: {len(u.other_devices)} device(s))" if u.other_devices else ""
            lines.append(f"  {u.user.label}  {u.user.display_name}{other}")
    return lines
