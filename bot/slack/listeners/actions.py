"""Buttons on request threads: Update request, Cancel request.

Anyone in the channel sees the buttons; only the requester or a RESOURCEBOT_ADMINS member may
use them, and only in the statuses where Infobip allows the action. Others get an ephemeral
reply saying why, and nothing is sent to the provider.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.statuses import can_cancel, can_update, describe_status
from bot.providers.error_records import error_from_record
from bot.providers.infobip.errors import InfobipError
from bot.services import Services
from bot.slack.form_blocks import DOWNLOAD_ACTION_PATTERN
from bot.slack.messages import CANCEL_ACTION, UPDATE_ACTION
from bot.slack.mrkdwn import escape
from bot.slack.permissions import Actor
from bot.slack.provider_errors import explain
from bot.slack.replies import clicked_channel, tell
from bot.slack.request_forms import open_update_form
from bot.store.intents import IntentState, get_intent
from bot.store.requests import RequestRecord, get_request
from bot.usecases import cancel_request
from bot.usecases.cancel_request import CANCEL_REQUEST
from bot.usecases.common import action_key
from bot.usecases.runner import perform


def refusal(actor: Actor, request: RequestRecord | None, action: str, allowed_in_status: bool) -> str | None:
    """Why `actor` may not `action` this request now, or None when they may."""
    if request is None:
        return "I don't know this request any more."
    if actor.id != request.requester and not actor.is_admin:
        return (
            f"Only <@{request.requester}> (who made the request) or a resourcebot admin can {action} "
            f"request `{request.id}`."
        )
    if not allowed_in_status:
        status = describe_status(request.status, request.provider)
        when = "only while an update is requested" if request.provider == "infobip" else "only until it is final"
        return f"Request `{request.id}` is *{escape(status.label)}*: this is possible {when}."
    return None


async def _request_if_allowed(
    services: Services,
    client: AsyncWebClient,
    body: dict,
    actor: Actor,
    action: str,
    allowed_in: Callable[[str, str], bool],
) -> RequestRecord | None:
    """The clicked request when the clicker may `action` it now; otherwise they are told why."""
    request = get_request(services.db, body["actions"][0]["value"])
    why = refusal(actor, request, action, request is not None and allowed_in(request.status, request.provider))
    if why:
        await tell(client, actor.id, clicked_channel(body), why)
        return None
    return request


async def template_link_clicked(ack) -> None:
    # The button is a link (the browser downloads); Slack still reports the click.
    await ack()


async def update_clicked(services: Services, ack, body, client, actor: Actor) -> None:
    await ack()
    request = await _request_if_allowed(services, client, body, actor, "update", can_update)
    if request:
        await open_update_form(services, client, trigger_id=body["trigger_id"], user=actor.id, request=request)


async def cancel_clicked(services: Services, ack, body, client, actor: Actor) -> None:
    await ack()
    key = action_key(body)
    if get_intent(services.db, key) is not None:
        return  # this very click again (a replay): it has been answered already
    user, channel = actor.id, clicked_channel(body)
    request = await _request_if_allowed(services, client, body, actor, "cancel", can_cancel)
    if request is None:
        return
    performed = await perform(
        services,
        CANCEL_REQUEST,
        cancel_request.wanted(key=key, actor=user, request=request, channel=(body.get("channel") or {}).get("id")),
    )
    intent = performed.intent
    if not performed.first:
        if performed.busy:
            await tell(
                client,
                user,
                channel,
                f"<@{intent.actor}> is changing request `{request.id}` right now: nothing more was sent.",
            )
        return
    if intent.state == IntentState.REFUSED:
        error = error_from_record(intent.outcome.get("error") or {})
        headline, details = explain(error) if isinstance(error, InfobipError) else (escape(str(error)), [])
        await tell(client, user, channel, "\n".join([f"Could not cancel `{request.id}`: {headline}", *details]))
    elif intent.state == IntentState.UNKNOWN:
        await tell(
            client,
            user,
            channel,
            f"The provider did not confirm whether request `{request.id}` was "
            "canceled. The bot keeps checking: the thread shows it once it is, and you "
            "get a direct message either way.",
        )


def register(app: AsyncApp, services: Services) -> None:
    app.action(DOWNLOAD_ACTION_PATTERN)(template_link_clicked)
    app.action(UPDATE_ACTION)(partial(update_clicked, services))
    app.action(CANCEL_ACTION)(partial(cancel_clicked, services))
