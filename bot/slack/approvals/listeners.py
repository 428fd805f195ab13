"""Approve and Deny on an approval request; the deny-reason modal. Only approvers decide, never on
their own action; the first decision wins (bot/store/approvals.py), and whoever comes later is told
who decided."""

from __future__ import annotations

from functools import partial

from pydantic import Field
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.approvals import deciders, may_decide
from bot.services import Services
from bot.slack.acks import ack_with_loading_view
from bot.slack.approvals import messages as m
from bot.slack.approvals.approvers import current_approvers
from bot.slack.approvals.listing import APPROVALS_VIEW, approvals_view, waiting_for
from bot.slack.blocks import input_block, section, text_input
from bot.slack.home_tab import publish_home
from bot.slack.middleware import form_values, view_metadata
from bot.slack.mrkdwn import escape
from bot.slack.permissions import Actor, managers_text
from bot.slack.replies import clicked_channel, tell, update_view
from bot.slack.request_forms import perform_approved
from bot.slack.view_metadata import ViewMetadata
from bot.slack.views import message_view, modal
from bot.store.approvals import Approval, Decided, get_approval
from bot.usecases import approvals
from bot.usecases.runner import carry_out
from bot.usecases.submit_request import SUBMIT_REQUEST

# How an approved change is carried out when its use case's call is not all of it: a request form's
# documents are fetched from Slack and uploaded first.
_PERFORMERS: dict[str, approvals.Perform] = {SUBMIT_REQUEST.action: perform_approved}


class DenyContext(ViewMetadata):
    """The deny-reason modal remembers which approval it denies, and the list of approvals it was
    opened from (`/resource approvals`), to show again once decided."""

    key: str = Field(alias="k")
    list_view: str | None = Field(None, alias="l")


async def refusal(services: Services, actor: Actor, approval: Approval) -> str | None:
    """Why `actor` may not decide on `approval` (mrkdwn), or None when they may."""
    approvers = await current_approvers(services)
    if may_decide(actor.id, approval.requester, approvers):
        return None
    if actor.id == approval.requester and actor.id in approvers:
        who = managers_text(deciders(approval.requester, approvers), nobody="no other approver is set up")
        return f"You asked for this yourself, so another approver decides: {who}."
    return f"Only approvers decide on these: {managers_text(sorted(approvers), nobody='none are set up')}."


async def answer(services: Services, client: AsyncWebClient, body: dict, user: str, text: str) -> None:
    """Tell whoever clicked `text` where they clicked: the list of approvals shown again with it on
    top, their Home tab published again with it on top, else an ephemeral reply (or a DM).

    Whoever decides has their Home published by the listener, after the decision (the outbox
    publishes everyone else's, bot/slack/home_tab.py): one publish, so the outcome shown on top
    of it is not replaced by a refresh racing it."""
    view = body.get("view") or {}
    if view.get("type") == "modal" and view.get("callback_id") == APPROVALS_VIEW:
        await update_view(client, view.get("id"), approvals_view(await waiting_for(services, user), text))
    elif view.get("type") == "home":
        await publish_home(services, client, user, notice=text)
    else:
        await tell(client, user, clicked_channel(body), text)


def outcome_text(decided: Decided) -> str:
    """What the person who clicked is told of their decision (or of the one made before it)."""
    approval = decided.approval
    if decided.busy:
        return (
            f":hourglass_flowing_sand: Someone is changing {escape(approval.what)} right now: nothing was decided. "
            "Try again in a moment."
        )
    if not decided.first:
        return f"Already decided. {m.decision_text(approval)}"
    intent = decided.intent
    if intent is None:
        return m.decision_text(approval)
    return m.kind_text(approval).approved(intent.state, escape(approval.what))


async def _approval(services: Services, client: AsyncWebClient, body: dict, actor: Actor) -> Approval | None:
    """The approval a button is for, once `actor` may decide on it (else told why, None)."""
    key = body["actions"][0].get("value") or ""
    approval = get_approval(services.db, key)
    if approval is None:
        await answer(services, client, body, actor.id, "This approval request is not known (any more).")
        return None
    if problem := await refusal(services, actor, approval):
        await answer(services, client, body, actor.id, f":lock: {problem}")
        return None
    return approval


async def approve_clicked(services: Services, ack, body, client, actor: Actor) -> None:
    await ack()
    approval = await _approval(services, client, body, actor)
    if approval is None:
        return
    perform = _PERFORMERS.get(approval.action, carry_out)
    decided = await approvals.decide(services, approval.key, actor.id, approve=True, perform=perform)
    await answer(services, client, body, actor.id, outcome_text(decided))
    if decided.first and (body.get("view") or {}).get("type") != "home":  # on the Home: published just now
        await publish_home(services, client, actor.id)


def deny_view(approval: Approval, list_view: str | None = None) -> dict:
    blocks = [
        section(f"Deny this request?\n{m.asked_text(approval)}"),
        input_block(
            m.REASON_BLOCK,
            "Reason (the requester is told)",
            text_input(max_length=500, multiline=True, placeholder="e.g. we have enough numbers in GB"),
        ),
    ]
    metadata = DenyContext(key=approval.key, list_view=list_view).dump()
    return modal(
        m.TITLE, blocks, callback_id=m.DENY_REASON_VIEW, submit="Deny", close="Back", private_metadata=metadata
    )


async def deny_clicked(services: Services, ack, body, client, actor: Actor) -> None:
    await ack()
    approval = await _approval(services, client, body, actor)
    if approval is None:
        return
    if approval.decided_by:
        await answer(services, client, body, actor.id, f"Already decided. {m.decision_text(approval)}")
        return
    view = body.get("view") or {}
    if view.get("type") == "modal" and view.get("callback_id") == APPROVALS_VIEW:  # over the list
        await client.views_push(trigger_id=body["trigger_id"], view=deny_view(approval, view.get("id")))
        return
    await client.views_open(trigger_id=body["trigger_id"], view=deny_view(approval))


async def deny_submitted(services: Services, ack, body, client, actor: Actor, values: dict, metadata: DenyContext):
    reason = str(values.get(m.REASON_BLOCK) or "").strip()
    if not reason:
        await ack(response_action="errors", errors={m.REASON_BLOCK: "Say why, for the requester."})
        return
    # Acked at once: reading user groups from Slack and the store's write must not make it late.
    acked_at = await ack_with_loading_view(ack, m.TITLE, "Denying…")
    view_id = body["view"]["id"]
    approval = get_approval(services.db, metadata.key)
    if approval is None:
        gone = message_view(m.TITLE, "This approval request is not known (any more).")
        await update_view(client, view_id, gone, acked_at=acked_at)
        return
    if problem := await refusal(services, actor, approval):
        await update_view(client, view_id, message_view(m.TITLE, f":lock: {problem}"), acked_at=acked_at)
        return
    decided = await approvals.decide(services, approval.key, actor.id, approve=False, reason=reason)
    await update_view(client, view_id, message_view(m.TITLE, outcome_text(decided)), acked_at=acked_at)
    if metadata.list_view:  # the list it was opened from, shown again without it
        listed = approvals_view(await waiting_for(services, actor.id), outcome_text(decided))
        await update_view(client, metadata.list_view, listed)
    if decided.first:
        await publish_home(services, client, actor.id)


def register(app: AsyncApp, services: Services) -> None:
    app.action(m.APPROVE_ACTION)(partial(approve_clicked, services))
    app.action(m.DENY_ACTION)(partial(deny_clicked, services))
    app.view(m.DENY_REASON_VIEW, middleware=[view_metadata(DenyContext), form_values])(
        partial(deny_submitted, services)
    )
