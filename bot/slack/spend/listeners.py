"""Spend from Slack: `/resource spend` (a modal), the Spend section of the admins' Home tab, its
Refresh and "Open the whole report" buttons, and cancelling an unused number from either.

Who: admins and number managers see it; cancelling is for number managers (the admins when
RESOURCEBOT_NUMBER_MANAGERS is unset), checked at the click. A cancellation is the number-cancel
use case (bot/usecases/cancel_number.py), performed once under the click's key: a replay of the
click makes no call, a second click meanwhile is told who is at it. The number is read again first,
and cancelled only if nothing uses it now: the list it was picked from may be minutes old.
"""

from __future__ import annotations

from functools import partial

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.approvals import CANCEL_NUMBER as CANCEL_NUMBER_KIND
from bot.domain.commands import Spend
from bot.domain.numbers import OwnedNumber, display_number
from bot.services import Services
from bot.slack.approvals import asking
from bot.slack.home_tab import publish_home
from bot.slack.invocation import Invocation
from bot.slack.mrkdwn import escape
from bot.slack.numbers.outcomes import cancel_outcome, cancel_summary
from bot.slack.permissions import NUMBERS, SPEND, Actor, number_managers, spend_refusal
from bot.slack.replies import update_view
from bot.slack.spend import views as v
from bot.slack.spend.load import SpendReport, spend_report, still_unused
from bot.slack.view_metadata import Origin
from bot.slack.views import loading_view, message_view
from bot.store.intents import get_intent
from bot.usecases import cancel_number
from bot.usecases.cancel_number import CANCEL_NUMBER
from bot.usecases.common import action_key
from bot.usecases.runner import Asked, perform


def render(services: Services, report: SpendReport, user: str, channel_id: str | None, notice: str | None) -> dict:
    return v.spend_view(
        report,
        can_cancel=services.may_manage_numbers(user),
        managers=number_managers(services),
        channel_id=channel_id,
        notice=notice,
    )


async def open_spend(invocation: Invocation, command: Spend) -> None:
    services = invocation.services
    if not services.may_see_spend(invocation.user):  # the slash command refuses first; this is the backstop
        await invocation.show(message_view(v.TITLE, f":lock: {spend_refusal(services)}"))
        return
    await invocation.loading(v.TITLE, "Adding up what the account's numbers cost…")
    report = await spend_report(services, max_age=0)
    await invocation.show(render(services, report, invocation.user, invocation.channel_id, None))


async def _show(
    services: Services,
    client: AsyncWebClient,
    body: dict,
    *,
    notice: str | None = None,
    max_age: float | None = 0,
) -> None:
    """The report where the click came from: the modal updated, or the Home tab published again."""
    user = body["user"]["id"]
    view = body.get("view") or {}
    if view.get("type") == "home":
        await publish_home(services, client, user, spend_max_age=max_age, spend_notice=notice)
        return
    report = await spend_report(services, max_age=max_age)
    channel_id = Origin.load(view.get("private_metadata")).channel_id
    await update_view(client, view.get("id"), render(services, report, user, channel_id, notice))


async def refresh_clicked(services: Services, ack, body, client, actor: Actor) -> None:
    await ack()
    if refusal := actor.refusal(SPEND, "see the spend report"):
        await _show(services, client, body, notice=f":lock: {refusal}", max_age=None)
        return
    await _show(services, client, body)


async def open_clicked(services: Services, ack, body, client, actor: Actor) -> None:
    """From a Home tab: the whole report in a modal (read again: the Home's may be minutes old)."""
    await ack()
    answer = await client.views_open(
        trigger_id=body["trigger_id"], view=loading_view(v.TITLE, "Adding up what the account's numbers cost…")
    )
    view_id = answer["view"]["id"]
    if refusal := actor.refusal(SPEND, "see the spend report"):
        await update_view(client, view_id, message_view(v.TITLE, f":lock: {refusal}"))
        return
    report = await spend_report(services, max_age=0)
    await update_view(client, view_id, render(services, report, actor.id, None, None))


def _shown(services: Services, number_key: str) -> str:
    """The number as the kept report shows it (mrkdwn-safe); its key when it is not there."""
    report = services.spend_cache.report
    unused = report.summary.unused if report and report.summary else ()
    found = next((u for u in unused if u.number_key == number_key), None)
    return escape(found.shown) if found else f"`{escape(number_key)}`"


async def cancel_clicked(services: Services, ack, body, client, actor: Actor) -> None:
    await ack()
    key = action_key(body)
    if get_intent(services.db, key) is not None:
        return  # this very click again (a replay): it has been answered already
    user = actor.id
    view = body.get("view") or {}
    on_home = view.get("type") == "home"
    if refusal := actor.refusal(NUMBERS, "cancel numbers"):
        await _show(services, client, body, notice=f":lock: {refusal}", max_age=None)
        return
    number_key = body["actions"][0].get("value") or ""
    shown = _shown(services, number_key)
    if not on_home:
        working = loading_view(v.TITLE, "Checking that nothing uses the number, then cancelling it…")
        await update_view(client, view.get("id"), working)
    checked = await still_unused(services, number_key, shown)
    if checked.number is None:
        await _show(services, client, body, notice=checked.problem)
        return
    channel_id = None if on_home else Origin.load(view.get("private_metadata")).channel_id
    context = OwnedNumber.from_number(checked.number, number_key)
    wanted = cancel_number.wanted(
        Asked(
            key,
            user,
            None if on_home else view.get("id"),
            services.settings.resourcebot_channel or channel_id or user,
        ),
        number=context,
    )
    if asking.needed(services, CANCEL_NUMBER_KIND):  # a button has no reason field: the approvers are asked as it is
        summary = cancel_summary(context, wanted.context.get("notice_channel"))
        waiting = await asking.ask_for_change(services, CANCEL_NUMBER, wanted, CANCEL_NUMBER_KIND, summary)
        await _show(services, client, body, notice=waiting)
        return
    performed = await perform(services, CANCEL_NUMBER, wanted)
    intent = performed.intent
    if not performed.first and not performed.busy:
        return  # the same click, delivered twice at once: the first delivery answers
    if performed.busy:
        number = escape(display_number(context.number or number_key, context.type))
        notice = f":hourglass_flowing_sand: <@{intent.actor}> is changing {number} right now: nothing more was sent."
    else:
        headline, details = cancel_outcome(intent)
        notice = "\n".join([headline, *details])
    await _show(services, client, body, notice=notice)


def register(app: AsyncApp, services: Services) -> None:
    app.action(v.REFRESH_ACTION)(partial(refresh_clicked, services))
    app.action(v.OPEN_ACTION)(partial(open_clicked, services))
    app.action(v.CANCEL_ACTION)(partial(cancel_clicked, services))
