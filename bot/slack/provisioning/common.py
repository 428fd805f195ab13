"""What the provisioning modals share: making a change once (audited and announced with it),
creating an application/entity picked as "new", and finishing a form over the view it came from.
Replies, view updates and refusals shared with the other listeners are in bot/slack/replies.py and
bot/slack/permissions.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.associations import AssociationKey
from bot.providers.error_records import error_from_record
from bot.providers.infobip.errors import InfobipAPIError, InfobipError, InfobipUnknownOutcome
from bot.providers.infobip.models import ResourceAssociationRequest
from bot.services import Services
from bot.slack import views
from bot.slack.blocks import section
from bot.slack.intent_views import answered_as_repeat
from bot.slack.invocation import Invocation
from bot.slack.mrkdwn import escape, escape_truncated
from bot.slack.permissions import ROUTING, Actor
from bot.slack.platform_pickers import PlatformChoice
from bot.slack.provider_errors import explain
from bot.slack.provisioning.view_state import ViewState
from bot.slack.replies import clicked_channel, notice_channel, tell, update_view
from bot.slack.views import loading_view, message_view
from bot.store.intents import Intent, IntentState
from bot.usecases import provisioning
from bot.usecases.common import sub_key
from bot.usecases.provisioning import USE_CASES as PROVISIONING
from bot.usecases.runner import Asked, perform

T = TypeVar("T")

# A view submission must be acked within 3 s; a provider read made before the ack gets this long.
BEFORE_ACK_SECONDS = 2.0
SLOW_TEXT = "Infobip is slow to answer; try again in a moment."


async def before_ack(call: Awaitable[T]) -> T:
    """A provider call made before a view submission is acked, cut short so the ack stays in
    Slack's 3 s: raises TimeoutError after BEFORE_ACK_SECONDS (answer with SLOW_TEXT)."""
    return await asyncio.wait_for(call, BEFORE_ACK_SECONDS)


def banners(text: str | None) -> list[dict[str, Any]]:
    """The notice at the top of a modal (text already mrkdwn-safe), if there is one."""
    return [section(text, block_id="banner")] if text else []


def association_call(key: AssociationKey) -> dict[str, Any]:
    """What Infobip is sent to create or delete the association `key` (its snapshot has the wire names)."""
    return ResourceAssociationRequest.model_validate(key.snapshot()).to_wire()


def failure_lines(error: Exception) -> tuple[str, list[str]]:
    """(headline, details) for a failed provider call, in mrkdwn."""
    if isinstance(error, InfobipUnknownOutcome):
        return (
            "Infobip did not confirm in time whether it made this change.",
            ["Look at the list again before you retry: it may have been made."],
        )
    return explain(error)


def failure_text(what: str, error: Exception) -> str:
    headline, details = failure_lines(error)
    return "\n".join([f":warning: Could not {what}: {headline}", *details])


def is_conflict(error: Exception) -> bool:
    return isinstance(error, InfobipAPIError) and error.status == 409


def origin_channel(body: dict[str, Any], state: ViewState) -> str | None:
    """The channel a block action belongs to: the message's, or the one its modal remembers (`state`,
    read leniently from any of the bot's modals: they all keep it under "ch")."""
    channel = clicked_channel(body)
    if channel:
        return channel
    return state.channel_id if (body.get("view") or {}).get("type") == "modal" else None


async def refused(client: AsyncWebClient, actor: Actor, channel: str | None, what: str) -> bool:
    """True when `actor` may not `what` (routing managers only), once told why, ephemerally in `channel`."""
    refusal = actor.refusal(ROUTING, what)
    if refusal:
        await tell(client, actor.id, channel, refusal)
    return refusal is not None


@dataclass(frozen=True)
class ChangeForm:
    """A form whose submission makes one change: its title, what it says while the change is made,
    and what only routing managers may do (e.g. "create associations")."""

    title: str
    working: str
    what: str


async def answered_before_change(
    services: Services, client: AsyncWebClient, ack, view: dict[str, Any], actor: Actor, form: ChangeForm
) -> bool:
    """True when the submission of `form` is answered already: a repeat, with the first one's outcome
    (checked first, so it is answered even when the permission is gone since), or someone who may not
    make the change, with why."""
    render, working = change_view(form.title), loading_view(form.title, form.working)
    if await answered_as_repeat(services, client, ack, view, render=render, working=working):
        return True
    refusal = actor.refusal(ROUTING, form.what)
    if refusal:
        await ack(response_action="update", view=message_view(form.title, refusal))
    return refusal is not None


async def say(invocation: Invocation, title: str, text: str) -> None:
    """Answer a command without a form: in the launcher's modal when it came from there, else ephemerally."""
    if invocation.view_id is not None:
        await invocation.show(message_view(title, text))
    else:
        await tell(invocation.client, invocation.user, invocation.channel_id, text)


class ChangeFailed(Exception):
    """A step of a change failed; `text` says which and why, in mrkdwn."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


def asked_by(services: Services, key: str, actor: str, state: ViewState, view_id: str | None = None) -> Asked:
    """A change asked for by `actor`'s one action `key`: a form's submission (its modal `view_id` shows the
    outcome) or a button's click. Its notice goes where the form or the button was (`state`)."""
    return Asked(key, actor, view_id, notice_channel(services, state.channel_id))


async def make_change(
    services: Services,
    action: str,
    asked: Asked,
    *,
    target: str,
    call: dict[str, Any],
    audit_entry: dict[str, Any],
    notice: str | None,
    done_text: str | None = None,
) -> Intent:
    """Perform one change of the account's set-up exactly once (bot/usecases/provisioning.py) and
    return its intent once it is done. Raises what the provider answered (InfobipError) when it was
    refused or stays unknown, and ChangeFailed when someone else is changing the same thing."""
    wanted = provisioning.wanted(asked, target, call, audit_entry, notice_text=notice, done_text=done_text)
    performed = await perform(services, PROVISIONING[action], wanted)
    if performed.busy:
        raise ChangeFailed(
            f":hourglass_flowing_sand: <@{performed.intent.actor}> is changing this right now; nothing more was sent."
        )
    return raise_for_outcome(performed.intent)


def raise_for_outcome(intent: Intent) -> Intent:
    """The intent when its change is done; otherwise what stopped it, raised."""
    if intent.state == IntentState.DONE:
        return intent
    if intent.state == IntentState.REFUSED:
        if intent.outcome.get("error"):
            raise error_from_record(intent.outcome["error"])
        raise ChangeFailed(intent.outcome.get("message") or ":warning: Infobip did not make this change.")
    raise InfobipUnknownOutcome(intent.action, "no answer yet")


def change_view(title: str) -> Callable[[Intent], dict[str, Any]]:
    """How a repeated submission of a change's form is answered: the first one's outcome."""

    def render(intent: Intent) -> dict[str, Any]:
        if intent.state == IntentState.INTENDED:
            return loading_view(title, "Saving at Infobip…")
        try:
            raise_for_outcome(intent)
        except ChangeFailed as failed:
            return message_view(title, failed.text)
        except InfobipError as error:
            return message_view(title, failure_text("make this change", error))
        return message_view(title, intent.context.get("done_text") or ":white_check_mark: Done.")

    return render


async def create_platforms(services: Services, asked: Asked, choice: PlatformChoice) -> None:
    """Create the application and entity picked as "new" (each once, recorded and announced), as
    steps of the person's action `asked`. Raises ChangeFailed at the first that fails; one created
    before it stays."""
    for kind, item in (("application", choice.new_application), ("entity", choice.new_entity)):
        if item is None:
            continue
        item_id, name = getattr(item, f"{kind}_id"), getattr(item, f"{kind}_name")
        shown = f"{kind} `{escape(item_id)}`"
        try:
            await make_change(
                services,
                f"{kind}.create",
                replace(asked, key=sub_key(asked.key, kind), view_id=None),  # a step: its own key, no modal of its own
                target=f"{kind}:{item_id}",
                call={"id": item_id, "name": name},
                audit_entry={"target": item_id, "after": {f"{kind}Id": item_id, f"{kind}Name": name}},
                notice=f":new: <@{asked.actor}> created {shown}{_named(name)}.",
            )
        except InfobipError as error:
            if is_conflict(error):
                raise ChangeFailed(f":warning: An {shown} already exists: pick it from the list instead.") from error
            raise ChangeFailed(failure_text(f"create {shown}", error)) from error


def _named(name: str | None) -> str:
    return f" ({escape_truncated(name, 255)})" if name else ""


async def finish_in_form(
    client: AsyncWebClient,
    view_id: str,
    state: ViewState,
    notice: str,
    *,
    title: str,
    refreshed: Callable[[], Awaitable[dict[str, Any]]],
) -> None:
    """After a change made in a form: when the form is stacked over the view it came from, say
    so in the form and refresh that view (`refreshed()`, showing `notice`); otherwise show the
    refreshed view in the form's place."""
    if state.parent_view_id and state.parent_view_id != view_id:
        await update_view(client, state.parent_view_id, await refreshed())
        await update_view(client, view_id, views.modal(title, banners(notice), close="Back"))
    else:
        await update_view(client, view_id, await refreshed())
