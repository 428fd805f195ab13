"""Numbers from Slack: browse what's on offer and buy, list the account's numbers, put one on an
application/entity, cancel one.

Money and numbers are at stake, so: every purchase and cancellation goes through a confirmation
modal that names the number (and, for a purchase, the exact charge); the permission is checked
when the button is clicked and again when the confirmation is submitted; the audit log gets an
entry only once Infobip confirmed the change; a purchase whose outcome is unknown is never retried.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from pydantic import ValidationError
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.commands import MyNumbers, NumbersSearch
from bot.domain.form_values import flatten_state_values
from bot.domain.forms import FormContext, RequestKind
from bot.domain.mrkdwn import escape
from bot.domain.numbers import (
    OWNED_PAGE_SIZE,
    SEARCH_PAGE_SIZE,
    BuyContext,
    Offer,
    OwnedContext,
    OwnedState,
    SearchState,
    blocking_requirements,
    country_name,
    last_page,
    request_capabilities,
    request_number_type,
    search_problem,
)
from bot.domain.validation import errors_response
from bot.providers.infobip.errors import (
    InfobipAPIError,
    InfobipError,
    InfobipNotFound,
    InfobipRateLimited,
)
from bot.providers.infobip.models import Number, NumberList, NumberRequirementsQuery
from bot.services import Services
from bot.slack.acks import settle_after_ack
from bot.slack.invocation import Invocation, handles
from bot.slack.listeners.actions import tell
from bot.slack.numbers import views as v
from bot.slack.platform_pickers import APPLICATION_BLOCK, chosen_platform, load_platforms
from bot.slack.provisioning.common import refusal_text
from bot.slack.request_forms import show_form
from bot.slack.views import loading_view
from bot.slack import intent_views
from bot.slack.numbers import outcomes
from bot.slack.numbers.outcomes import explain_numbers_error
from bot.store.intents import IntentState
from bot.usecases import buy_number, cancel_number, set_number_platform
from bot.usecases.buy_number import BUY_NUMBER
from bot.usecases.cancel_number import CANCEL_NUMBER
from bot.usecases.common import view_key
from bot.usecases.set_number_platform import SET_NUMBER_PLATFORM

log = logging.getLogger("bot.slack.numbers")


# ---- who may do what -------------------------------------------------------------------------

def _managers(services: Services) -> list[str]:
    settings = services.settings
    return sorted(settings.resourcebot_number_managers or settings.resourcebot_admins)


def _refusal_text(services: Services, what: str) -> str:
    return (f"Only number managers can {what}: {v.managers_text(_managers(services))}. "
            "You can still browse; ask one of them, or request numbers for Infobip's review "
            "with `/resource number &lt;country&gt;`.")


def _platform_refusal_text(services: Services) -> str:
    """Putting a number on an application/entity is its number-level inbound routing: the same
    PUT the inbound-routing modal makes, for routing managers only."""
    return refusal_text(services, "move numbers between applications")


# ---- Slack helpers ---------------------------------------------------------------------------

async def _update(client: AsyncWebClient, view_id: str, view: dict, *, view_hash: str | None = None,
                  acked_at: float | None = None) -> bool:
    """views.update that shrugs off a modal the person has closed (or changed meanwhile)."""
    await settle_after_ack(acked_at)
    try:
        if view_hash:
            await client.views_update(view_id=view_id, hash=view_hash, view=view)
        else:
            await client.views_update(view_id=view_id, view=view)
    except SlackApiError as error:
        reason = error.response.get("error") if error.response is not None else None
        if reason in ("not_found", "hash_conflict"):
            log.info("view %s not updated: %s", view_id, reason)
            return False
        raise
    return True


async def _open_over(client: AsyncWebClient, body: dict, view: dict) -> str:
    """A modal on top of the one the button is in (or a new one from a message); its id."""
    if (body.get("view") or {}).get("type") == "modal":
        answer = await client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        answer = await client.views_open(trigger_id=body["trigger_id"], view=view)
    return answer["view"]["id"]


async def _refuse(client: AsyncWebClient, body: dict, title: str, text: str) -> None:
    """The refusal where the person is looking: over their modal, else ephemeral."""
    if (body.get("view") or {}).get("type") == "modal":
        await client.views_push(trigger_id=body["trigger_id"], view=v.refusal_view(title, text))
    else:
        await tell(client, body, f":lock: {text}")


def _root_to_refresh(view: dict) -> str | None:
    root = view.get("root_view_id")
    return root if root and root != view.get("id") else None


async def _post(services: Services, channel: str | None, user: str, text: str, blocks: list[dict]) -> str | None:
    """Post a notice where the command was used (RESOURCEBOT_CHANNEL first, a DM last);
    returns where it went, as mrkdwn, or None when Slack refused."""
    target = services.settings.resourcebot_channel or channel or user
    try:
        answer = await services.slack.chat_postMessage(channel=target, text=text, blocks=blocks)
    except SlackApiError as error:
        log.warning("could not post the numbers notice in %s: %s", target, error)
        return None
    posted_in = answer.get("channel") or target
    return f"<#{posted_in}>" if posted_in[0] in "CG" else "your messages with the bot"


def _notice_channel(services: Services, owned: OwnedState | None) -> str | None:
    """Where a change to one of the account's numbers is announced (see provisioning's announce)."""
    return (owned.channel_id if owned else None) or services.settings.resourcebot_channel


# ---- numbers on offer ------------------------------------------------------------------------

async def search_numbers(services: Services, state: SearchState, user: str) -> dict:
    """The numbers-on-offer modal for `state` (a no-match or an error is a view too)."""
    common: dict[str, Any] = {"can_buy": services.may_manage_numbers(user), "managers": _managers(services)}
    try:
        result = await services.infobip.get_available_numbers(**state.query(SEARCH_PAGE_SIZE))
        if not result.numbers and result.number_count and state.page:
            # Fewer numbers than when the page was asked for: show the last page that has some.
            state = state.at_page(last_page(result.number_count, SEARCH_PAGE_SIZE))
            result = await services.infobip.get_available_numbers(**state.query(SEARCH_PAGE_SIZE))
    except InfobipNotFound:  # Infobip's way of saying "none match" on some accounts
        result = NumberList()
    except InfobipError as error:
        return v.search_view(state, None, error=explain_numbers_error(error), **common)
    return v.search_view(state, result, **common)


async def owned_numbers(services: Services, state: OwnedState, user: str) -> dict:
    common: dict[str, Any] = {"can_manage": services.may_manage_numbers(user), "managers": _managers(services)}
    try:
        result = await services.infobip.list_owned_numbers(**state.query(OWNED_PAGE_SIZE))
        if not result.numbers and result.number_count and state.page:
            state = state.at_page(last_page(result.number_count, OWNED_PAGE_SIZE))
            result = await services.infobip.list_owned_numbers(**state.query(OWNED_PAGE_SIZE))
    except InfobipNotFound:
        result = NumberList()
    except InfobipError as error:
        return v.owned_view(state, None, error=explain_numbers_error(error), **common)
    return v.owned_view(state, result, **common)


@handles(NumbersSearch)
async def open_numbers_search(invocation: Invocation, command: NumbersSearch) -> None:
    if problem := search_problem(command):
        await invocation.show(v.outcome_view(v.SEARCH_TITLE, f":warning: {problem}"))
        return
    state = SearchState.from_command(command, invocation.channel_id)
    await invocation.loading(v.SEARCH_TITLE, f"Looking up numbers on offer in {country_name(state.country)}…")
    await invocation.show(await search_numbers(invocation.services, state, invocation.user))


@handles(MyNumbers)
async def open_my_numbers(invocation: Invocation, command: MyNumbers) -> None:
    if problem := search_problem(command):
        await invocation.show(v.outcome_view(v.OWNED_TITLE, f":warning: {problem}"))
        return
    state = OwnedState(digits=command.digits, channel_id=invocation.channel_id)
    await invocation.loading(v.OWNED_TITLE, "Looking up the account's numbers…")
    await invocation.show(await owned_numbers(invocation.services, state, invocation.user))


async def _check_requirements(services: Services, offer: Offer) -> tuple[str, list, tuple[str, list[str]] | None]:
    """(request number type, requirements a direct purchase would skip, error to show)."""
    number_type = request_number_type(offer.type, offer.number, offer.country)
    query = NumberRequirementsQuery(country_code=offer.country, number_type=number_type,
                                    capabilities=request_capabilities(offer.capabilities), quantity=1)
    try:
        requirements = await services.infobip.lookup_requirements(query)
    except InfobipRateLimited as error:
        return number_type, [], explain_numbers_error(error)
    except InfobipAPIError as error:
        if error.status in (400, 404):
            # Infobip takes no number request for this kind here: nothing to fill in first.
            return number_type, [], None
        return number_type, [], explain_numbers_error(error)
    except InfobipError as error:
        return number_type, [], explain_numbers_error(error)
    return number_type, blocking_requirements(requirements), None


# ---- listeners -------------------------------------------------------------------------------

def register(app: AsyncApp, services: Services) -> None:  # noqa: C901 - one listener per button
    @app.action(re.compile("^(" + "|".join(v.SEARCH_PAGE_ACTIONS) + ")$"))
    async def search_page(ack, body, client) -> None:
        await ack()
        view = body["view"]
        state = SearchState.load(view.get("private_metadata")).at_page(int(body["actions"][0].get("value") or 0))
        await _update(client, view["id"], await search_numbers(services, state, body["user"]["id"]),
                      view_hash=view.get("hash"))

    @app.action(re.compile("^(" + "|".join(v.OWNED_PAGE_ACTIONS) + ")$"))
    async def owned_page(ack, body, client) -> None:
        await ack()
        view = body["view"]
        state = OwnedState.load(view.get("private_metadata")).at_page(int(body["actions"][0].get("value") or 0))
        await _update(client, view["id"], await owned_numbers(services, state, body["user"]["id"]),
                      view_hash=view.get("hash"))

    # -- buy -----------------------------------------------------------------------------------

    @app.action(v.BUY_ACTION)
    async def buy_clicked(ack, body, client) -> None:
        await ack()
        user = body["user"]["id"]
        if not services.may_manage_numbers(user):
            await _refuse(client, body, v.BUY_TITLE, _refusal_text(services, "buy numbers"))
            return
        try:
            offer = Offer.load(body["actions"][0].get("value"))
        except (ValidationError, ValueError):
            await _open_over(client, body, v.outcome_view(
                v.BUY_TITLE, "This button is out of date.", ["Search again with `/resource numbers &lt;country&gt;`."]))
            return
        source = body.get("view") or {}
        search = None
        if source.get("callback_id") == v.SEARCH_VIEW:
            search = SearchState.load(source.get("private_metadata"))
        view_id = await _open_over(client, body, loading_view(
            v.BUY_TITLE, f"Checking Infobip's requirements for {offer.display}…"))

        number_type, blocking, problem = await _check_requirements(services, offer)
        if problem:
            headline, details = problem
            await _update(client, view_id, v.outcome_view(
                v.BUY_TITLE, f":warning: Could not check whether Infobip asks for documents first: {headline}",
                [*details, "Nothing was bought."]))
            return
        if blocking:
            value = v.request_instead_value(offer.country, number_type, request_capabilities(offer.capabilities),
                                            search.channel_id if search else None)
            await _update(client, view_id, v.request_instead_view(offer, number_type, blocking, value))
            return
        try:
            applications, entities = await load_platforms(services.infobip)
        except InfobipError as error:
            headline, details = explain_numbers_error(error)
            await _update(client, view_id, v.outcome_view(
                v.BUY_TITLE, f":warning: Could not load the account's applications: {headline}",
                [*details, "Nothing was bought."]))
            return
        metadata = BuyContext(offer=offer, search=search).dump()
        await _update(client, view_id, v.buy_confirm_view(offer, metadata, applications, entities))

    @app.action(v.REQUEST_INSTEAD_ACTION)
    async def request_instead(ack, body, client) -> None:
        await ack()
        value = json.loads(body["actions"][0].get("value") or "{}")
        context = FormContext(kind=RequestKind.NUMBER_PURCHASE, country=value["c"], number_type=value["t"],
                              capabilities=tuple(value.get("cap") or ("SMS",)), quantity=1,
                              channel_id=value.get("ch"))
        view_id = body["view"]["id"]
        await _update(client, view_id, loading_view("New request", "Loading the requirements from Infobip…"))
        await show_form(services, client, view_id=view_id, user=body["user"]["id"], context=context)

    @app.view(v.BUY_CONFIRM)
    async def buy_confirmed(ack, body, client) -> None:
        user = body["user"]["id"]
        view = body["view"]
        if await intent_views.answered_as_repeat(services, client, ack, view, render=outcomes.purchase_view,
                                                 working=loading_view(v.BUY_TITLE, "Buying the number…")):
            return
        context = BuyContext.load(view.get("private_metadata"))
        offer = context.offer
        if not services.may_manage_numbers(user):  # the permission may have changed since the click
            await ack(response_action="update",
                      view=v.refusal_view(v.BUY_TITLE, _refusal_text(services, "buy numbers")))
            return
        application_id, entity_id = chosen_platform(flatten_state_values(view["state"]["values"]))
        channel = context.search.channel_id if context.search else None

        async def refresh_search(intent) -> None:
            root = _root_to_refresh(view)
            if root and context.search and intent.state == IntentState.DONE:
                await _update(client, root, await search_numbers(services, context.search, user))

        await intent_views.submit_once(
            services, client, ack, view, use_case=BUY_NUMBER,
            wanted=buy_number.wanted(key=view_key(view), actor=user, offer=offer, application_id=application_id,
                                     entity_id=entity_id, view_id=view["id"],
                                     notice_channel=services.settings.resourcebot_channel or channel or user),
            working=loading_view(v.BUY_TITLE, f"Buying {offer.display}…"), render=outcomes.purchase_view,
            busy=lambda other: intent_views.busy_view(v.BUY_TITLE, other, f"buying or changing {offer.display}"),
            after=refresh_search)

    # -- set application/entity ----------------------------------------------------------------

    def refresh_owned(client: AsyncWebClient, view: dict, owned: OwnedState | None, user: str):
        """After a change made over the my-numbers modal: that modal shows the numbers as they are now."""
        async def refresh(intent) -> None:
            root = _root_to_refresh(view)
            if root and owned and intent.state == IntentState.DONE:
                await _update(client, root, await owned_numbers(services, owned, user))
        return refresh

    def _owned_context(body: dict) -> OwnedState | None:
        source = body.get("view") or {}
        if source.get("callback_id") == v.OWNED_VIEW:
            return OwnedState.load(source.get("private_metadata"))
        return None

    async def _load_owned(client: AsyncWebClient, view_id: str, title: str, number_key: str) -> Number | None:
        """The number as Infobip has it now; None (and the view says why) when it can't be read."""
        try:
            return await services.infobip.get_owned_number(number_key)
        except InfobipNotFound:
            await _update(client, view_id, v.outcome_view(
                title, ":x: This number is not among the account's numbers any more.",
                ["Someone may have cancelled it meanwhile. Nothing was changed."]))
        except InfobipError as error:
            headline, details = explain_numbers_error(error)
            await _update(client, view_id, v.outcome_view(title, f":warning: {headline}", details))
        return None

    @app.action(v.SET_PLATFORM_ACTION)
    async def set_platform_clicked(ack, body, client) -> None:
        await ack()
        user = body["user"]["id"]
        if not services.may_manage_routing(user):
            await _refuse(client, body, v.PLATFORM_TITLE, _platform_refusal_text(services))
            return
        number_key = body["actions"][0].get("value") or ""
        owned = _owned_context(body)
        view_id = await _open_over(client, body, loading_view(v.PLATFORM_TITLE, "Loading the number and the "
                                                              "account's applications and entities…"))
        number = await _load_owned(client, view_id, v.PLATFORM_TITLE, number_key)
        if number is None:
            return
        try:
            applications, entities = await load_platforms(services.infobip)
        except InfobipError as error:
            headline, details = explain_numbers_error(error)
            await _update(client, view_id, v.outcome_view(v.PLATFORM_TITLE, f":warning: {headline}", details))
            return
        metadata = OwnedContext.from_number(number, number_key, owned).dump()
        await _update(client, view_id, v.platform_form(number, metadata, applications, entities))

    @app.view(v.PLATFORM_FORM)
    async def platform_submitted(ack, body, client) -> None:
        user = body["user"]["id"]
        view = body["view"]
        context = OwnedContext.load(view.get("private_metadata"))
        if await intent_views.answered_as_repeat(
                services, client, ack, view, render=outcomes.platform_view,
                working=loading_view(v.PLATFORM_TITLE, f"Saving {context.display}…")):
            return
        if not services.may_manage_routing(user):  # the permission may have changed since the click
            await ack(response_action="update", view=v.refusal_view(
                v.PLATFORM_TITLE, _platform_refusal_text(services)))
            return
        application_id, entity_id = chosen_platform(flatten_state_values(view["state"]["values"]))
        if not application_id:
            await ack(errors_response({APPLICATION_BLOCK: "Choose an application (Infobip needs one; "
                                                          "`default` if in doubt)."}))
            return
        if (application_id, entity_id) == (context.application_id, context.entity_id):
            await ack(response_action="update", view=v.outcome_view(
                v.PLATFORM_TITLE, f"{escape(context.display)} is already there: nothing to change."))
            return
        await intent_views.submit_once(
            services, client, ack, view, use_case=SET_NUMBER_PLATFORM,
            wanted=set_number_platform.wanted(
                key=view_key(view), actor=user, number_key=context.number_key, number=context.number,
                before=(context.application_id, context.entity_id), after=(application_id, entity_id),
                view_id=view["id"], notice_channel=_notice_channel(services, context.owned)),
            working=loading_view(v.PLATFORM_TITLE, f"Saving {context.display}…"),
            render=outcomes.platform_view,
            busy=lambda other: intent_views.busy_view(v.PLATFORM_TITLE, other, f"changing {context.display}"),
            after=refresh_owned(client, view, context.owned, user))

    # -- cancel --------------------------------------------------------------------------------

    @app.action(v.CANCEL_ACTION)
    async def cancel_clicked(ack, body, client) -> None:
        await ack()
        user = body["user"]["id"]
        if not services.may_manage_numbers(user):
            await _refuse(client, body, v.CANCEL_TITLE, _refusal_text(services, "cancel numbers"))
            return
        number_key = body["actions"][0].get("value") or ""
        owned = _owned_context(body)
        view_id = await _open_over(client, body, loading_view(v.CANCEL_TITLE, "Loading the number…"))
        number = await _load_owned(client, view_id, v.CANCEL_TITLE, number_key)
        if number is None:
            return
        metadata = OwnedContext.from_number(number, number_key, owned).dump()
        await _update(client, view_id, v.cancel_confirm_view(number, metadata))

    @app.view(v.CANCEL_CONFIRM)
    async def cancel_confirmed(ack, body, client) -> None:
        user = body["user"]["id"]
        view = body["view"]
        context = OwnedContext.load(view.get("private_metadata"))
        if await intent_views.answered_as_repeat(services, client, ack, view, render=outcomes.cancel_view,
                                                 working=loading_view(v.CANCEL_TITLE, f"Cancelling {context.display}…")):
            return
        if not services.may_manage_numbers(user):
            await ack(response_action="update", view=v.refusal_view(v.CANCEL_TITLE,
                                                                   _refusal_text(services, "cancel numbers")))
            return
        await intent_views.submit_once(
            services, client, ack, view, use_case=CANCEL_NUMBER,
            wanted=cancel_number.wanted(key=view_key(view), actor=user, number=context, view_id=view["id"],
                                        notice_channel=services.settings.resourcebot_channel
                                        or (context.owned.channel_id if context.owned else None) or user),
            working=loading_view(v.CANCEL_TITLE, f"Cancelling {context.display}…"), render=outcomes.cancel_view,
            busy=lambda other: intent_views.busy_view(v.CANCEL_TITLE, other, f"changing {context.display}"),
            after=refresh_owned(client, view, context.owned, user))
