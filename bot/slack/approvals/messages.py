"""The approval request as approvers (and the channel where the change is announced) read it, and
what the requester is told. Rendered when delivered, from the stored approval."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.approvals import ApprovalState
from bot.domain.numbers import Offer
from bot.slack.blocks import button, context, section
from bot.slack.mrkdwn import escape
from bot.slack.numbers.text import charge_lines
from bot.store.approvals import EXPIRY, Approval

APPROVE_ACTION = "approval_approve"
DENY_ACTION = "approval_deny"
DENY_REASON_VIEW = "approval_deny_reason"
REASON_BLOCK = "reason"
TITLE = "Approval"


def when(stamp: str | None) -> str:
    """ "2026-12-01 16:20 UTC" for a stored time."""
    if not stamp:
        return "?"
    return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M UTC")


def _where(channel: str | None) -> str:
    if not channel:
        return "their DM"
    return f"<@{escape(channel)}>'s DM" if channel[0] in "UW" else f"<#{escape(channel)}>"


def asked_text(approval: Approval) -> str:
    """Who asks for what, where, why."""
    summary = approval.summary
    lines = [f"<@{escape(approval.requester)}> asks to buy *{escape(approval.what)}*"]
    if summary.get("country"):
        lines[0] += f" in {escape(str(summary['country']))}"
    if summary.get("application"):
        lines.append(f"Application `{escape(str(summary['application']))}`")
    lines.append(f"Announced in {_where(summary.get('where'))}")
    reason = summary.get("reason")
    lines.append(f"Why: {escape(str(reason))}" if reason else "No reason given.")
    return "\n".join(lines)


def cost_text(approval: Approval) -> str:
    offer = approval.summary.get("offer")
    price = Offer.model_validate(offer).price if offer else None
    return "\n".join(charge_lines(price))


def decision_text(approval: Approval) -> str:
    """How it stands: waiting (until when), approved, denied or expired."""
    if approval.state == ApprovalState.WAITING:
        return f":hourglass_flowing_sand: Waiting for approval (expires {when(approval.expires_at)})."
    if approval.state == ApprovalState.APPROVED:
        return f":white_check_mark: Approved by <@{escape(approval.decided_by or '')}> at {when(approval.decided_at)}."
    if approval.state == ApprovalState.EXPIRED or approval.decided_by == EXPIRY:
        return f":alarm_clock: Expired at {when(approval.decided_at)}: nobody decided in time. Nothing was bought."
    reason = escape(approval.reason or "no reason given")
    return f":no_entry: Denied by <@{escape(approval.decided_by or '')}>: {reason}. Nothing was bought."


def approval_message(
    approval: Approval, *, buttons: bool, block_id: str = "decide", link: str | None = None
) -> dict[str, Any]:
    """chat.postMessage / chat.update arguments. The buttons only while it waits, for approvers;
    `block_id`: their block's (one per approval where several are listed, as in a view); `link`:
    a permalink to the request's message, shown after how it stands (in lists of approvals)."""
    blocks: list[dict[str, Any]] = [
        section(asked_text(approval)),
        section(cost_text(approval)),
        context(decision_text(approval) + (f" · <{escape(link)}|Open the thread>" if link else "")),
    ]
    if buttons and approval.state == ApprovalState.WAITING:
        blocks.append(
            {
                "type": "actions",
                "block_id": block_id,
                "elements": [
                    button("Approve", APPROVE_ACTION, approval.key, style="primary"),
                    button("Deny", DENY_ACTION, approval.key, style="danger"),
                ],
            }
        )
    text = f"{escape(approval.requester)} asks to buy {escape(approval.what)}: {decision_text(approval)}"
    return {"text": text, "blocks": blocks}


def reminder_message(approval: Approval, *, in_thread: bool) -> dict[str, Any]:
    """The one reminder halfway to the expiry: a reply in the approval request's thread (the
    approval channel), or a DM pointing at the request above it."""
    where = "above" if not in_thread else "at the top of this thread"
    text = (
        f":bell: Reminder: <@{escape(approval.requester)}> still waits for a decision on buying "
        f"*{escape(approval.what)}*. Undecided, it expires at {when(approval.expires_at)}. "
        f"Approve or Deny on the request {where}."
    )
    return {"text": text, "blocks": [section(text)]}


def requester_dm(approval: Approval) -> dict[str, Any] | None:
    """What the requester is told of a denial or an expiry (an approval's outcome is the purchase's DM)."""
    if approval.state not in (ApprovalState.DENIED, ApprovalState.EXPIRED):
        return None
    what = escape(approval.what)
    if approval.state == ApprovalState.EXPIRED:
        text = f":alarm_clock: Your purchase of *{what}* was not approved in time: it expired. Nothing was bought."
    else:
        reason = escape(approval.reason or "no reason given")
        text = (
            f":no_entry: Your purchase of *{what}* was denied by <@{escape(approval.decided_by or '')}>: "
            f"{reason}. Nothing was bought."
        )
    return {"text": text, "blocks": [section(text)]}
