"""Asking for an approval from a form (a request form, the CM.com order form): the optional reason
and the note on the form, then, submitted after every check, the change stored as waiting (with
its request's thread) instead of being sent, and the modal saying who decides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.domain.approvals import deciders, needs_approval
from bot.slack.acks import ack_with_loading_view
from bot.slack.approvals.approvers import current_approvers
from bot.slack.approvals.messages import asked_where, kind_text, reason_block, waiting_note, when
from bot.slack.blocks import context
from bot.slack.mrkdwn import escape
from bot.slack.replies import update_view
from bot.slack.views import message_view
from bot.usecases import approvals
from bot.usecases.runner import UseCase, Wanted

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.services import Services

REASON_BLOCK = "approval_reason"  # not "reason": a requirement's key could be that


def needed(services: Services, kind: str) -> bool:
    """Whether a change of `kind` waits for an approval (RESOURCEBOT_APPROVERS, RESOURCEBOT_APPROVAL_FOR)."""
    settings = services.settings
    return needs_approval(
        kind, approvers=settings.resourcebot_approvers, approval_for=settings.resourcebot_approval_for
    )


def form_blocks(provider: str) -> list[dict[str, Any]]:
    """The end of a form whose submission needs an approval."""
    return [
        reason_block(REASON_BLOCK, "What is it for?"),
        context(
            f"This needs an approval before it is sent to {provider}; once you submit it, you are told who decides."
        ),
    ]


def reason(values: dict[str, Any]) -> str | None:
    return str(values.get(REASON_BLOCK) or "").strip() or None


async def ask_for_change(services: Services, use_case: UseCase, wanted: Wanted, kind: str, summary: dict) -> str:
    """A change asked for by a button (no modal): stored as waiting, once; what the person is told (mrkdwn)."""
    approvers = await current_approvers(services)
    created = await approvals.request(services, use_case, wanted, kind=kind, summary=summary, approvers=approvers)
    approval, text = created.approval, kind_text(created.approval)
    if created.busy:
        return (
            f":hourglass_flowing_sand: <@{escape(approval.requester)}> already asked for the {text.noun} "
            f"{escape(approval.what)}: it waits for approval. Nothing more was asked for."
        )
    where = asked_where(services.settings.resourcebot_approval_channel)
    note = waiting_note(deciders(approval.requester, approvers), where, when(approval.expires_at), text.waiting)
    return f":hourglass_flowing_sand: *Your {text.noun} {escape(approval.what)} waits for approval.*\n{note}"


async def ask(
    services: Services,
    client: AsyncWebClient,
    ack,
    view_id: str,
    title: str,
    use_case: UseCase,
    wanted: Wanted,
    kind: str,
    summary: dict,
    request: dict,
) -> None:
    """Store `wanted` (a new request, id `wanted.request_id`, with the fields `request`) as waiting
    for a decision, once; its thread starts now. The modal (`title`, `view_id`) is acked at once
    (reading user groups from Slack and the store's write must not make the ack late), then says
    who decides, where, and that nothing is sent to the provider until then. A repeat of the
    submission finds the same approval (its key is the submission's) and says the same."""
    acked_at = await ack_with_loading_view(ack, title, "Asking for approval…")
    approvers = await current_approvers(services)
    created = await approvals.request(
        services, use_case, wanted, kind=kind, summary=summary, approvers=approvers, request=request
    )
    approval = created.approval
    if created.busy:
        who = escape(approval.requester)
        busy = f":hourglass_flowing_sand: <@{who}> already asked for this: it waits for approval."
        await update_view(
            client, view_id, message_view(title, busy, ["Nothing more was asked for."]), acked_at=acked_at
        )
        return
    where = asked_where(services.settings.resourcebot_approval_channel)
    provider = kind_text(approval).provider
    note = waiting_note(
        deciders(approval.requester, approvers), where, when(approval.expires_at), f"Nothing is sent to {provider}"
    )
    channel = request.get("channel")
    thread = f"<#{escape(channel)}>" if channel and channel[0] in "CG" else "your messages with the bot"
    waiting = message_view(
        title,
        f":hourglass_flowing_sand: *Your request waits for approval.* Request `{approval.request_id}`.",
        [note, f"Its thread in {thread} shows how it stands."],
    )
    await update_view(client, view_id, waiting, acked_at=acked_at)
