"""`adue status`: each step's state, the created ids, the last apply, the journal and drift.

Drift needs the tenant: status signs in and plans (never writes). Exit 0 when the
tenant matches the session, 2 when changes or drift are pending, 1 when it could
not check (the local part is still printed).
"""

from __future__ import annotations

import argparse
from typing import Any

from tui.commands.common import EXIT_ERROR, EXIT_OK, add_tenant_command

JOURNAL_SHOWN = 10  # most recent entries printed (JSON carries them all)


def register(subparsers: Any) -> None:
    p = add_tenant_command(
        subparsers,
        "status",
        run,
        help="show step states, created object ids, the last apply and drift",
        description="Summarise a session and compare it with the tenant. Never writes.",
        json_help="print the status as JSON",
    )
    p.add_argument(
        "--offline", action="store_true", help="do not contact the tenant (no drift check)"
    )


def _text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")


def local_status(data: dict[str, Any]) -> dict[str, Any]:
    """The part of the status that comes from the session file alone."""
    from tui.steps import STEPS

    review = data.get("review", {})
    journal = [
        {k: _text(v) if k == "time" else v for k, v in entry.items()}
        for entry in data.get("journal", [])
    ]
    return {
        "steps": [
            {"id": s.id, "title": s.title, "status": data.get(s.id, {}).get("status", "todo")}
            for s in STEPS
        ],
        "objects": {
            "sso_policy_id": data.get("sso_extension", {}).get("policy_id", ""),
            "authenticator_app_id": data.get("authenticator", {}).get("app_id", ""),
            "enrollment_profile_id": data.get("enrollment_profile", {}).get("profile_id", ""),
            **(
                {"web_clip_app_id": data["web_clip"].get("app_id", "")}
                if data.get("web_clip", {}).get("enabled", True) and "web_clip" in data
                else {}
            ),
        },
        "last_apply": _text(review.get("last_apply")),
        "last_result": review.get("last_result", ""),
        "journal": journal,
    }


def run(args: argparse.Namespace) -> int:
    import asyncio

    from tui.commands.plan_common import (
        TENANT_ERRORS,
        open_session,
        plan_exit,
        print_json,
        tenant_plan,
        with_tenant,
    )
    from tui.error_text import describe_error
    from tui.graph.target import TargetTenant, session_target
    from tui.rollout.model import Plan

    session = open_session(args, "status")
    if session is None:
        return EXIT_ERROR
    data = session.data
    report = local_status(data)
    plan: Plan | None = None
    error = ""
    cloud = getattr(args, "cloud", None) or ""
    # Until a sign-in says otherwise: the tenant as the session recorded it.
    target: TargetTenant = session_target(session.table("tenant"), cloud)
    checked = False
    if not args.offline:
        try:
            target, plan = asyncio.run(tenant_plan(args, session, headline=False))
            checked = True
        except TENANT_ERRORS as exc:
            error = describe_error(exc, layout="line")
    report["drift"] = {
        "checked": plan is not None,
        "error": error,
        "in_sync": bool(plan and plan.is_empty),
        "plan": plan.to_dict() if plan else None,
    }
    if args.json:
        print_json(with_tenant(report, target))
    else:
        print(target.headline() + ("" if checked else " (as the session recorded it)"))
        _print(report, plan, error, args)
    if plan is None:
        return EXIT_OK if args.offline else EXIT_ERROR
    return plan_exit(plan)


def _print(report: dict[str, Any], plan: Any, error: str, args: argparse.Namespace) -> None:
    from tui.commands.plan_common import print_plan

    print("Steps:")
    for step in report["steps"]:
        print(f"  {step['status']:<12} {step['title']}")
    print("Objects adue manages:")
    for key, value in report["objects"].items():
        print(f"  {key:<22} {value or '(not created yet)'}")
    last = report["last_apply"] or "never"
    result = f" ({report['last_result']})" if report["last_result"] else ""
    print(f"Last apply: {last}{result}")
    journal = report["journal"]
    if journal:
        print(f"Journal (last {min(len(journal), JOURNAL_SHOWN)} of {len(journal)}):")
        for entry in journal[-JOURNAL_SHOWN:]:
            rid = f" request-id {entry['request_id']}" if entry.get("request_id") else ""
            print(
                f"  {entry.get('time', '')}  {entry.get('result', ''):<7} "
                f"{entry.get('action', '')} {entry.get('object_type', '')} "
                f"{entry.get('object_id', '')}{rid}"
            )
            if entry.get("detail"):
                print(f"      {entry['detail']}")
    if args.offline:
        return
    print("Drift:")
    if plan is None:
        print(f"  could not check: {error}")
    else:
        print_plan(plan, args.session)
