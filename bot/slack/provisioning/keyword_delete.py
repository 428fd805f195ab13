"""Delete, in the inbound configuration form (`keywords`): the configuration goes at Infobip, and
its messages follow another matching configuration or the number level."""

from __future__ import annotations

from functools import partial

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.associations import platform_snapshot
from bot.providers.infobip.errors import InfobipError
from bot.services import Services
from bot.slack.middleware import view_metadata
from bot.slack.mrkdwn import escape
from bot.slack.permissions import Actor
from bot.slack.provisioning.common import ChangeFailed, asked_by, failure_text, make_change, refused
from bot.slack.provisioning.keywords import DELETE_ACTION, finish
from bot.slack.provisioning.text import keyword_label
from bot.slack.provisioning.view_state import ViewState
from bot.slack.replies import update_view
from bot.slack.views import message_view
from bot.usecases.common import action_key


async def delete_clicked(
    services: Services, ack, body: dict, client: AsyncWebClient, actor: Actor, metadata: ViewState
) -> None:
    await ack()
    user, view, state = actor.id, body["view"], metadata
    if await refused(client, actor, state.channel_id, "change inbound routing"):
        return
    configuration_key = body["actions"][0].get("value") or ""
    keyword = state.extra.get("kw")
    number_key = state.target or ""
    shown = f"+{escape(state.extra['n'])}" if state.extra.get("n") else f"`{escape(number_key)}`"
    before = {
        "configurationKey": configuration_key,
        "channel": state.channel,
        "keyword": keyword,
        "platform": platform_snapshot(state.extra.get("a"), state.extra.get("e")),
    }
    try:
        intent = await make_change(
            services,
            "routing.keyword.delete",
            asked_by(services, action_key(body), user, state),
            target=f"configuration:{configuration_key}",
            call={"configurationKey": configuration_key, "channel": state.channel or "SMS", "numberKey": number_key},
            audit_entry={"target": f"{number_key} {keyword or '*'}", "before": before},
            notice=f":wastebasket: <@{user}> deleted the inbound configuration for {keyword_label(keyword)} on "
            f"{shown} ({escape(state.channel or '')}). Those messages now follow another matching "
            "configuration or the number level.",
        )
    except (ChangeFailed, InfobipError) as error:
        text = error.text if isinstance(error, ChangeFailed) else failure_text("delete the configuration", error)
        await update_view(client, view["id"], message_view("Inbound configuration", text))
        return
    if intent.outcome.get("already"):
        notice = f":information_source: The configuration for {keyword_label(keyword)} was already gone."
    else:
        notice = f":white_check_mark: Deleted the configuration for {keyword_label(keyword)}."
    await finish(services, client, actor, view["id"], state, notice)


def register(app: AsyncApp, services: Services) -> None:
    app.action(DELETE_ACTION, middleware=[view_metadata(ViewState)])(partial(delete_clicked, services))
