"""What the provisioning modals share: permission refusals, ephemeral replies, making a change
once (audited and announced with it), creating an application/entity picked as "new", and safe
view updates."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.associations import ViewState
from bot.domain.mrkdwn import OPTION_VALUE_MAX, escape, escape_truncated, mrkdwn_text, plain_text
from bot.providers.infobip.errors import InfobipAPIError, InfobipError, InfobipUnknownOutcome
from bot.services import Services
from bot.slack.invocation import Invocation
from bot.slack import views
from bot.slack.platform_pickers import PlatformChoice
from bot.slack.provider_errors import explain
from bot.slack.views import loading_view, message_view
from bot.providers.error_records import error_from_record
from bot.store.intents import Intent, IntentState
from bot.usecases import provisioning
from bot.usecases.common import sub_key
from bot.usecases.provisioning import USE_CASES as PROVISIONING
from bot.usecases.runner import perform

log = logging.getLogger("bot.slack.provisioning")

T = TypeVar("T")

# A view submission must be acked within 3 s; a provider read made before the ack gets this long.
BEFORE_ACK_SECONDS = 2.0
SLOW_TEXT = "Infobip is slow to answer; try again in a moment."


def refusal_text(services: Services, what: str) -> str:
    """Why someone who is not a routing manager can't `what`, and whom to ask."""
    managers = sorted(services.settings.resourcebot_routing_managers or services.settings.resourcebot_admins)
    if managers:
        shown = ", ".join(f"<@{m}>" for m in managers[:5]) + (" and others" if len(managers) > 5 else "")
        who = f"ask {shown}"
    else:
        who = "none are configured yet (RESOURCEBOT_ROUTING_MANAGERS or RESOURCEBOT_ADMINS)"
    return f"Only routing managers can {what}: {who}. Anyone can look; nothing was changed."


def modal(title: str, blocks: list[dict], *, state: ViewState | None = None, callback_id: str | None = None,
          submit: str | None = None, close: str = "Close") -> dict[str, Any]:
    return views.modal(title, blocks, callback_id=callback_id, submit=submit, close=close,
                       private_metadata=state.dump() if state is not None else "")


def option(value: str, label: str) -> dict[str, Any]:
    """A select option. Its value must fit Slack's 150 characters (a cut value would submit
    another id): offer a text input instead when an id may be longer (see `fits_options`)."""
    return {"text": plain_text(label, 75), "value": value}


def fits_options(values: list[str]) -> bool:
    """Whether every value can be a select option's value as it is."""
    return all(len(value) <= OPTION_VALUE_MAX for value in values)


async def before_ack(call: Awaitable[T]) -> T:
    """A provider call made before a view submission is acked, cut short so the ack stays in
    Slack's 3 s: raises TimeoutError after BEFORE_ACK_SECONDS (answer with SLOW_TEXT)."""
    return await asyncio.wait_for(call, BEFORE_ACK_SECONDS)


def banner(text: str) -> dict[str, Any]:
    """A notice at the top of a modal (text already mrkdwn-safe)."""
    return {"type": "section", "block_id": "banner", "text": mrkdwn_text(text)}


def failure_lines(error: Exception) -> tuple[str, list[str]]:
    """(headline, details) for a failed provider call, in mrkdwn."""
    if isinstance(error, InfobipUnknownOutcome):
        return ("Infobip did not confirm in time whether it made this change.",
                ["Look at the list again before you retry: it may have been made."])
    return explain(error)


def failure_text(what: str, error: Exception) -> str:
    headline, details = failure_lines(error)
    return "\n".join([f":warning: Could not {what}: {headline}", *details])


def is_conflict(error: Exception) -> bool:
    return isinstance(error, InfobipAPIError) and error.status == 409


def origin_channel(body: dict[str, Any]) -> str | None:
    """The channel a block action or a view belongs to: the message's, or the one the view remembers."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    if channel:
        return channel
    view = body.get("view") or {}
    return ViewState.load(view.get("private_metadata")).channel_id if view.get("type") == "modal" else None


async def tell_user(client: AsyncWebClient, user: str, channel: str | None, text: str) -> None:
    """An ephemeral reply in `channel`; a DM from the bot when there is none or Slack refuses it."""
    if channel:
        try:
            await client.chat_postEphemeral(channel=channel, user=user, text=text)
            return
        except SlackApiError as error:
            log.info("ephemeral reply in %s failed (%s); sending a DM", channel, error.response.get("error"))
    await client.chat_postMessage(channel=user, text=text)


async def say(invocation: Invocation, title: str, text: str) -> None:
    """Answer a command without a form: in the launcher's modal when it came from there, else ephemerally."""
    if invocation.view_id is not None:
        await invocation.show(message_view(title, text))
    else:
        await tell_user(invocation.client, invocation.user, invocation.channel_id, text)


def notice_channel(services: Services, channel: str | None) -> str | None:
    """Where a change is announced: where the command was used (RESOURCEBOT_CHANNEL when that is
    unknown); nowhere when neither is known."""
    return channel or services.settings.resourcebot_channel


class ChangeFailed(Exception):
    """A step of a change failed; `text` says which and why, in mrkdwn."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


async def make_change(services: Services, action: str, *, key: str, target: str, actor: str, call: dict[str, Any],
                      audit_entry: dict[str, Any], notice: str | None, channel: str | None,
                      view_id: str | None = None, done_text: str | None = None) -> Intent:
    """Perform one change of the account's set-up exactly once (bot/usecases/provisioning.py) and
    return its intent once it is done. Raises what the provider answered (InfobipError) when it was
    refused or stays unknown, and ChangeFailed when someone else is changing the same thing."""
    wanted = provisioning.wanted(key=key, target=target, actor=actor, call=call, audit_entry=audit_entry,
                                 notice_text=notice, notice_channel=notice_channel(services, channel),
                                 view_id=view_id)
    if done_text:
        wanted = replace(wanted, context={**wanted.context, "done_text": done_text})
    performed = await perform(services, PROVISIONING[action], wanted)
    if performed.busy:
        raise ChangeFailed(f":hourglass_flowing_sand: <@{performed.intent.actor}> is changing this right now; "
                           "nothing more was sent.")
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


async def create_platforms(services: Services, user: str, channel: str | None, choice: PlatformChoice,
                           key: str) -> None:
    """Create the application and entity picked as "new" (each once, recorded and announced), as
    steps of the person's action `key`. Raises ChangeFailed at the first that fails; one created
    before it stays."""
    for kind, item in (("application", choice.new_application), ("entity", choice.new_entity)):
        if item is None:
            continue
        item_id, name = getattr(item, f"{kind}_id"), getattr(item, f"{kind}_name")
        shown = f"{kind} `{escape(item_id)}`"
        try:
            await make_change(services, f"{kind}.create", key=sub_key(key, kind), target=f"{kind}:{item_id}",
                              actor=user, call={"id": item_id, "name": name}, channel=channel,
                              audit_entry={"target": item_id, "after": {f"{kind}Id": item_id, f"{kind}Name": name}},
                              notice=f":new: <@{user}> created {shown}{_named(name)}.")
        except InfobipError as error:
            if is_conflict(error):
                raise ChangeFailed(f":warning: An {shown} already exists: pick it from the list instead.") from error
            raise ChangeFailed(failure_text(f"create {shown}", error)) from error


def _named(name: str | None) -> str:
    return f" ({escape_truncated(name, 255)})" if name else ""


async def update_view(client: AsyncWebClient, view_id: str | None, view: dict[str, Any], *,
                      hash: str | None = None) -> bool:
    """views.update that tolerates a view the person has closed or changed meanwhile."""
    if not view_id:
        return False
    try:
        arguments: dict[str, Any] = {"view_id": view_id, "view": view}
        if hash:
            arguments["hash"] = hash
        await client.views_update(**arguments)
        return True
    except SlackApiError as error:
        reason = error.response.get("error")
        if reason in ("hash_conflict", "not_found", "view_not_found"):
            log.info("view %s not updated: %s", view_id, reason)
            return False
        raise


async def finish_in_form(client: AsyncWebClient, view_id: str, state: ViewState, notice: str, *, title: str,
                         refreshed: Callable[[], Awaitable[dict[str, Any]]]) -> None:
    """After a change made in a form: when the form is stacked over the view it came from, say
    so in the form and refresh that view (`refreshed()`, showing `notice`); otherwise show the
    refreshed view in the form's place."""
    if state.parent_view_id and state.parent_view_id != view_id:
        await update_view(client, state.parent_view_id, await refreshed())
        await update_view(client, view_id, modal(title, [banner(notice)], close="Back"))
    else:
        await update_view(client, view_id, await refreshed())


async def open_child(client: AsyncWebClient, body: dict[str, Any], view: dict[str, Any]) -> tuple[str, bool]:
    """Show `view` for a click: pushed over the modal the click came from (the current one is
    replaced when three are stacked already), or a new modal for a click in a message.
    Returns (view id, whether it was pushed over another)."""
    current = body.get("view") or {}
    if current.get("type") == "modal":
        try:
            answer = await client.views_push(trigger_id=body["trigger_id"], view=view)
            return answer["view"]["id"], True
        except SlackApiError as error:
            if error.response.get("error") != "push_limit_reached":
                raise
            await client.views_update(view_id=current["id"], view=view)
            return current["id"], False
    answer = await client.views_open(trigger_id=body["trigger_id"], view=view)
    return answer["view"]["id"], False
