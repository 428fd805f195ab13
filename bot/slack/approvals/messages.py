"""The approval request as approvers (and the channel where the change is announced) read it, and
what the requester is told. Rendered when delivered, from the stored approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.approvals import (
    CANCEL_NUMBER,
    CM_ORDER,
    NUMBER_REQUEST,
    PURCHASE,
    RCS_REQUEST,
    SENDER_REQUEST,
    ApprovalState,
)
from bot.domain.numbers import Offer
from bot.slack import permissions
from bot.slack.blocks import button, context, input_block, section, text_input
from bot.slack.mrkdwn import escape
from bot.slack.numbers.text import charge_lines
from bot.store.approvals import EXPIRY, Approval
from bot.store.intents import IntentState

APPROVE_ACTION = "approval_approve"
DENY_ACTION = "approval_deny"
DENY_REASON_VIEW = "approval_deny_reason"
REASON_BLOCK = "reason"
TITLE = "Approval"


@dataclass(frozen=True)
class KindText:
    """How one kind of change that waits for approval reads."""

    asks: str  # "<@U> asks to buy *…*"
    noun: str  # "Your purchase of *…*"
    provider: str = "Infobip"
    cost: str = ""  # for kinds the provider prices later
    undone: str = ""  # what a denial leaves undone, when it is not "sent to <provider>"

    # The approver's answer once the approved change was carried out: done, refused, not known yet.
    outcomes: tuple[str, str, str] = (
        ":white_check_mark: Approved: the {noun} *{what}* reached {provider}.",
        ":x: Approved, but {provider} did not take the {noun} *{what}*: nothing was sent.",
        ":warning: Approved; {provider} did not confirm the {noun} *{what}* yet. It is being checked.",
    )

    @property
    def nothing(self) -> str:
        return self.undone or f"Nothing was sent to {self.provider}."

    @property
    def waiting(self) -> str:
        """What does not happen while it waits: "Nothing is sent to Infobip"."""
        return self.nothing.removesuffix(".").replace(" was ", " is ")

    def approved(self, state: IntentState, what: str) -> str:
        """`what`: mrkdwn-safe."""
        done, refused, unknown = self.outcomes
        said = {IntentState.DONE: done, IntentState.REFUSED: refused}.get(state, unknown)
        return said.format(noun=self.noun, what=what, provider=self.provider)


_PURCHASE = KindText(
    "asks to buy",
    "purchase of",
    undone="Nothing was bought.",
    outcomes=(
        ":white_check_mark: Approved: {what} is the account's now.",
        ":x: Approved, but Infobip did not sell {what}: nothing was bought.",
        ":warning: Approved; Infobip did not confirm the purchase of {what} yet. It is being checked.",
    ),
)
_KINDS = {
    NUMBER_REQUEST: KindText(
        "asks Infobip for",
        "number request for",
        cost="Infobip prices number requests at procurement: the cost is known once it assigns the numbers.",
    ),
    SENDER_REQUEST: KindText(
        "asks Infobip to register", "request to register", cost="Any registration fee is Infobip's for the country."
    ),
    RCS_REQUEST: KindText(
        "asks Infobip to launch", "request to launch", cost="Any launch fee is Infobip's for the country."
    ),
    CANCEL_NUMBER: KindText(
        "asks to cancel",
        "cancellation of",
        undone="Nothing was cancelled.",
        outcomes=(
            ":white_check_mark: Approved: {what} is cancelled.",
            ":x: Approved, but Infobip did not cancel {what}: it is still the account's.",
            ":warning: Approved; Infobip did not confirm the cancellation of {what} yet. It is being checked.",
        ),
    ),
    CM_ORDER: KindText(
        "asks CM.com for", "CM.com order of", "CM.com", "CM.com prices an order when it assigns the numbers."
    ),
}


def kind_text(approval: Approval) -> KindText:
    return _KINDS.get(approval.kind, _PURCHASE)


def when(stamp: str | None) -> str:
    """ "2026-12-01 16:20 UTC" for a stored time."""
    if not stamp:
        return "?"
    return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M UTC")


def reason_block(block_id: str, placeholder: str) -> dict[str, Any]:
    """The optional "why" of a change that needs an approval, for the approver."""
    return input_block(
        block_id,
        "Reason (for the approver)",
        text_input(max_length=500, multiline=True, placeholder=placeholder),
        optional=True,
    )


def who_decides(approvers: list[str]) -> str:
    """ "<@U1> and <@U2> will decide", for the person who asks."""
    if not approvers:
        return "nobody but you is set up as an approver yet (RESOURCEBOT_APPROVERS), so nobody can decide"
    return f"{permissions.managers_text(approvers, nobody='')} will decide"


def asked_where(approval_channel: str | None) -> str:
    """Where the approvers are asked, as the person who asks reads it."""
    return f"in <#{escape(approval_channel)}>" if approval_channel else "by DM"


def waiting_note(approvers: list[str], where: str, expires: str, nothing: str) -> str:
    """What the modal says once the change waits: who decides, where, what happens meanwhile."""
    return (
        f"{who_decides(approvers)} ({where}). {nothing} until then; you get a DM either way. "
        f"Undecided, it expires at {expires}."
    )


def _where(channel: str | None) -> str:
    if not channel:
        return "their DM"
    return f"<@{escape(channel)}>'s DM" if channel[0] in "UW" else f"<#{escape(channel)}>"


def asked_text(approval: Approval) -> str:
    """Who asks for what, where, why."""
    summary = approval.summary
    lines = [f"<@{escape(approval.requester)}> {kind_text(approval).asks} *{escape(approval.what)}*"]
    if summary.get("country"):
        lines[0] += f" in {escape(str(summary['country']))}"
    if summary.get("application"):
        lines.append(f"Application `{escape(str(summary['application']))}`")
    if approval.request_id:
        lines.append(f"Request `{escape(approval.request_id)}`, its thread in {_where(summary.get('where'))}")
    else:
        lines.append(f"Announced in {_where(summary.get('where'))}")
    reason = summary.get("reason")
    lines.append(f"Why: {escape(str(reason))}" if reason else "No reason given.")
    return "\n".join(lines)


def cost_text(approval: Approval) -> str:
    """The purchase's charges from the listing; for a request, how much and that it is priced later."""
    if approval.kind != PURCHASE:
        summary = approval.summary
        counted = [f"*{label}:* {escape(str(summary[key]))}" for key, label in _COUNTED if summary.get(key)]
        return "\n".join([*counted, kind_text(approval).cost]).strip() or "No charge is known."
    offer = approval.summary.get("offer")
    price = Offer.model_validate(offer).price if offer else None
    return "\n".join(charge_lines(price))


_COUNTED = (
    ("quantity", "Quantity"),
    ("type", "Type"),
    ("capabilities", "Capabilities"),
    ("monthly", "Monthly charge that stops"),
)


def decision_text(approval: Approval) -> str:
    """How it stands: waiting (until when), approved, denied or expired."""
    nothing = kind_text(approval).nothing
    if approval.state == ApprovalState.WAITING:
        return f":hourglass_flowing_sand: Waiting for approval (expires {when(approval.expires_at)})."
    if approval.state == ApprovalState.APPROVED:
        return f":white_check_mark: Approved by <@{escape(approval.decided_by or '')}> at {when(approval.decided_at)}."
    if approval.state == ApprovalState.EXPIRED or approval.decided_by == EXPIRY:
        return f":alarm_clock: Expired at {when(approval.decided_at)}: nobody decided in time. {nothing}"
    reason = escape(approval.reason or "no reason given")
    return f":no_entry: Denied by <@{escape(approval.decided_by or '')}>: {reason}. {nothing}"


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
    asks = kind_text(approval).asks
    text = f"{escape(approval.requester)} {asks} {escape(approval.what)}: {decision_text(approval)}"
    return {"text": text, "blocks": blocks}


def mention(who: str) -> str:
    """A Slack mention of an approver: a user group (S…) or a person."""
    return f"<!subteam^{escape(who)}>" if who.startswith("S") else f"<@{escape(who)}>"


def reminder_message(
    approval: Approval, *, in_thread: bool, mentions: list[str] | None = None, link: str | None = None
) -> dict[str, Any]:
    """The one reminder halfway to the expiry: a reply in the approval request's thread (the
    approval channel), or a DM pointing at the request above it. `mentions`: the approvers (user
    ids, user groups) to notify in a channel, where a reply alone notifies nobody; `link`: the
    request's thread."""
    where = "above" if not in_thread else "at the top of this thread"
    called = " ".join(mention(who) for who in mentions or []) + ": " if mentions else ""
    text = (
        f":bell: {called}Reminder: <@{escape(approval.requester)}> still waits for a decision: "
        f"{kind_text(approval).asks} *{escape(approval.what)}*. "
        f"Undecided, it expires at {when(approval.expires_at)}. Approve or Deny on the request {where}."
    )
    blocks = [section(text)]
    if link:
        blocks.append(context(f"<{escape(link)}|Open the thread>"))
    return {"text": text, "blocks": blocks}


def requester_dm(approval: Approval) -> dict[str, Any] | None:
    """What the requester is told of a denial or an expiry (an approval's outcome is the purchase's DM)."""
    if approval.state not in (ApprovalState.DENIED, ApprovalState.EXPIRED):
        return None
    what, kind = escape(approval.what), kind_text(approval)
    if approval.state == ApprovalState.EXPIRED:
        text = f":alarm_clock: Your {kind.noun} *{what}* was not approved in time: it expired. {kind.nothing}"
    else:
        reason = escape(approval.reason or "no reason given")
        text = (
            f":no_entry: Your {kind.noun} *{what}* was denied by <@{escape(approval.decided_by or '')}>: "
            f"{reason}. {kind.nothing}"
        )
    return {"text": text, "blocks": [section(text)]}


def thread_decision(approval: Approval) -> dict[str, Any]:
    """The decision, as a reply in the thread of the request that waited for it."""
    text = f"<@{escape(approval.requester)}> {decision_text(approval)}"
    return {"text": text, "blocks": [section(text)]}
