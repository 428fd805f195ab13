"""Numbers from Slack: browse what's on offer and buy, list the account's numbers, put one on an
application/entity, cancel one.

Money and numbers are at stake, so: every purchase and cancellation goes through a confirmation
modal that names the number (and, for a purchase, the exact charge); the permission is checked
when the button is clicked and again when the confirmation is submitted; the audit log gets an
entry only once Infobip confirmed the change; a purchase whose outcome is unknown is never retried.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

from pydantic import ValidationError
from slack_bolt.async_app import AsyncApp
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
from bot.slack import intent_views
from bot.slack.invocation import Invocation
from bot.slack.numbers import outcomes
from bot.slack.numbers import views as v
from bot.slack.numbers.outcomes import explain_numbers_error
from bot.slack.permissions import number_managers, numbers_refusal, routing_refusal
from bot.slack.platform_pickers import APPLICATION_BLOCK, chosen_platform, load_platforms
from bot.slack.replies import clicked_channel, notice_channel, open_child, tell, update_view
from bot.slack.request_forms import show_form
from bot.slack.views import loading_view
from bot.store.intents import IntentState
from bot.usecases import buy_number, cancel_number, set_number_platform
from bot.usecases.buy_number import BUY_NUMBER
from bot.usecases.cancel_number import CANCEL_NUMBER
from bot.usecases.common import view_key
from bot.usecases.set_number_platform import SET_NUMBER_PLATFORM

P = TypeVar("P", SearchState, OwnedState)


# ---- who may do what -------------------------------------------------------------------------


def _platform_refusal_text(services: Services) -> str:
    """Putting a number on an application/entity is its number-level inbound routing: the same
    PUT the inbound-routing modal makes, for routing managers only."""
    return routing_refusal(services, "move numbers between applications")


# ---- Slack helpers ---------------------------------------------------------------------------


async def _refuse(client: AsyncWebClient, body: dict, title: str, text: str) -> None:
    """The refusal where the person is looking: over their modal, else ephemeral."""
    if (body.get("view") or {}).get("type") == "modal":
        await client.views_push(trigger_id=body["trigger_id"], view=v.refusal_view(title, text))
    else:
        await tell(client, body["user"]["id"], clicked_channel(body), f":lock: {text}")


def _root_to_refresh(view: dict) -> str | None:
    root = view.get("root_view_id")
    return root if root and root != view.get("id") else None


def _notice_channel(services: Services, owned: OwnedState | None) -> str | None:
    """Where a change to one of the account's numbers is announced (see provisioning's announce)."""
    return notice_channel(services, owned.channel_id if owned else None)


# ---- numbers on offer ------------------------------------------------------------------------


async def _numbers_page(
    fetch: Callable[..., Awaitable[NumberList]], state: P, page_size: int
) -> tuple[P, NumberList | None, tuple[str, list[str]] | None]:
    """One page of numbers for `state`: (the state shown, its numbers or None, what went wrong)."""
    try:
        result = await fetch(**state.query(page_size))
        if not result.numbers and result.number_count and state.page:
            # Fewer numbers than when the page was asked for: show the last page that has some.
            state = state.at_page(last_page(result.number_count, page_size))
            result = await fetch(**state.query(page_size))
    except InfobipNotFound:  # Infobip's way of saying "none match" on some accounts
        return state, NumberList(), None
    except InfobipError as error:
        return state, None, explain_numbers_error(error)
    return state, result, None


async def search_numbers(services: Services, state: SearchState, user: str) -> dict:
    """The numbers-on-offer modal for `state` (a no-match or an error is a view too)."""
    state, result, error = await _numbers_page(services.infobip.get_available_numbers, state, SEARCH_PAGE_SIZE)
    return v.search_view(
        state, result, error=error, can_buy=services.may_manage_numbers(user), managers=number_managers(services)
    )


async def owned_numbers(services: Services, state: OwnedState, user: str) -> dict:
    state, result, error = await _numbers_page(services.infobip.list_owned_numbers, state, OWNED_PAGE_SIZE)
    return v.owned_view(
        state, result, error=error, can_manage=services.may_manage_numbers(user), managers=number_managers(services)
    )


async def open_numbers_search(invocation: Invocation, command: NumbersSearch) -> None:
    if problem := search_problem(command):
        await invocation.show(v.outcome_view(v.SEARCH_TITLE, f":warning: {problem}"))
        return
    state = SearchState.from_command(command, invocation.channel_id)
    await invocation.loading(v.SEARCH_TITLE, f"Looking up numbers on offer in {country_name(state.country)}…")
    await invocation.show(await search_numbers(invocation.services, state, invocation.user))


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
    query = NumberRequirementsQuery(
        country_code=offer.country,
        number_type=number_type,
        capabilities=request_capabilities(offer.capabilities),
        quantity=1,
    )
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


# ---- listeners: module-level handlers, registered at the bottom -----------------------------

SEARCH_PAGES = re.compile("^(" + "|".join(v.SEARCH_PAGE_ACTIONS) + ")$")
OWNED_PAGES = re.compile("^(" + "|".join(v.OWNED_PAGE_ACTIONS) + ")$")


async def search_page(services: Services, ack, body, client) -> None:
    await ack()
    view = body["view"]
    state = SearchState.load(view.get("private_metadata")).at_page(int(body["actions"][0].get("value") or 0))
    await update_view(
        client, view["id"], await search_numbers(services, state, body["user"]["id"]), hash=view.get("hash")
    )


async def owned_page(services: Services, ack, body, client) -> None:
    await ack()
    view = body["view"]
    state = OwnedState.load(view.get("private_metadata")).at_page(int(body["actions"][0].get("value") or 0))
    await update_view(
        client, view["id"], await owned_numbers(services, state, body["user"]["id"]), hash=view.get("hash")
    )


# -- buy -----------------------------------------------------------------------------------


async def buy_clicked(services: Services, ack, body, client) -> None:
    await ack()
    user = body["user"]["id"]
    if not services.may_manage_numbers(user):
        await _refuse(client, body, v.BUY_TITLE, numbers_refusal(services, "buy numbers"))
        return
    try:
        offer = Offer.load(body["actions"][0].get("value"))
    except (ValidationError, ValueError):
        await open_child(
            client,
            body,
            v.outcome_view(
                v.BUY_TITLE, "This button is out of date.", ["Search again with `/resource numbers &lt;country&gt;`."]
            ),
        )
        return
    source = body.get("view") or {}
    search = None
    if source.get("callback_id") == v.SEARCH_VIEW:
        search = SearchState.load(source.get("private_metadata"))
    view_id, _ = await open_child(
        client, body, loading_view(v.BUY_TITLE, f"Checking Infobip's requirements for {offer.display}…")
    )

    number_type, blocking, problem = await _check_requirements(services, offer)
    if problem:
        headline, details = problem
        await update_view(
            client,
            view_id,
            v.outcome_view(
                v.BUY_TITLE,
                f":warning: Could not check whether Infobip asks for documents first: {headline}",
                [*details, "Nothing was bought."],
            ),
        )
        return
    if blocking:
        value = v.request_instead_value(
            offer.country, number_type, request_capabilities(offer.capabilities), search.channel_id if search else None
        )
        await update_view(client, view_id, v.request_instead_view(offer, number_type, blocking, value))
        return
    try:
        applications, entities = await load_platforms(services.infobip)
    except InfobipError as error:
        headline, details = explain_numbers_error(error)
        await update_view(
            client,
            view_id,
            v.outcome_view(
                v.BUY_TITLE,
                f":warning: Could not load the account's applications: {headline}",
                [*details, "Nothing was bought."],
            ),
        )
        return
    metadata = BuyContext(offer=offer, search=search).dump()
    await update_view(client, view_id, v.buy_confirm_view(offer, metadata, applications, entities))


async def request_instead(services: Services, ack, body, client) -> None:
    await ack()
    value = json.loads(body["actions"][0].get("value") or "{}")
    context = FormContext(
        kind=RequestKind.NUMBER_PURCHASE,
        country=value["c"],
        number_type=value["t"],
        capabilities=tuple(value.get("cap") or ("SMS",)),
        quantity=1,
        channel_id=value.get("ch"),
    )
    view_id = body["view"]["id"]
    await update_view(client, view_id, loading_view("New request", "Loading the requirements from Infobip…"))
    await show_form(services, client, view_id=view_id, user=body["user"]["id"], context=context)


async def buy_confirmed(services: Services, ack, body, client) -> None:
    user = body["user"]["id"]
    view = body["view"]
    if await intent_views.answered_as_repeat(
        services,
        client,
        ack,
        view,
        render=outcomes.purchase_view,
        working=loading_view(v.BUY_TITLE, "Buying the number…"),
    ):
        return
    context = BuyContext.load(view.get("private_metadata"))
    offer = context.offer
    if not services.may_manage_numbers(user):  # the permission may have changed since the click
        await ack(response_action="update", view=v.refusal_view(v.BUY_TITLE, numbers_refusal(services, "buy numbers")))
        return
    application_id, entity_id = chosen_platform(flatten_state_values(view["state"]["values"]))
    channel = context.search.channel_id if context.search else None

    async def refresh_search(intent) -> None:
        root = _root_to_refresh(view)
        if root and context.search and intent.state == IntentState.DONE:
            await update_view(client, root, await search_numbers(services, context.search, user))

    await intent_views.submit_once(
        services,
        client,
        ack,
        view,
        use_case=BUY_NUMBER,
        wanted=buy_number.wanted(
            key=view_key(view),
            actor=user,
            offer=offer,
            application_id=application_id,
            entity_id=entity_id,
            view_id=view["id"],
            notice_channel=services.settings.resourcebot_channel or channel or user,
        ),
        working=loading_view(v.BUY_TITLE, f"Buying {offer.display}…"),
        render=outcomes.purchase_view,
        busy=lambda other: intent_views.busy_view(v.BUY_TITLE, other, f"buying or changing {offer.display}"),
        after=refresh_search,
    )


# -- set application/entity ----------------------------------------------------------------


def refresh_owned(services: Services, client: AsyncWebClient, view: dict, owned: OwnedState | None, user: str):
    """After a change made over the my-numbers modal: that modal shows the numbers as they are now."""

    async def refresh(intent) -> None:
        root = _root_to_refresh(view)
        if root and owned and intent.state == IntentState.DONE:
            await update_view(client, root, await owned_numbers(services, owned, user))

    return refresh


def _owned_context(body: dict) -> OwnedState | None:
    source = body.get("view") or {}
    if source.get("callback_id") == v.OWNED_VIEW:
        return OwnedState.load(source.get("private_metadata"))
    return None


async def _load_owned(
    services: Services, client: AsyncWebClient, view_id: str, title: str, number_key: str
) -> Number | None:
    """The number as Infobip has it now; None (and the view says why) when it can't be read."""
    try:
        return await services.infobip.get_owned_number(number_key)
    except InfobipNotFound:
        await update_view(
            client,
            view_id,
            v.outcome_view(
                title,
                ":x: This number is not among the account's numbers any more.",
                ["Someone may have cancelled it meanwhile. Nothing was changed."],
            ),
        )
    except InfobipError as error:
        headline, details = explain_numbers_error(error)
        await update_view(client, view_id, v.outcome_view(title, f":warning: {headline}", details))
    return None


async def set_platform_clicked(services: Services, ack, body, client) -> None:
    await ack()
    user = body["user"]["id"]
    if not services.may_manage_routing(user):
        await _refuse(client, body, v.PLATFORM_TITLE, _platform_refusal_text(services))
        return
    number_key = body["actions"][0].get("value") or ""
    owned = _owned_context(body)
    view_id, _ = await open_child(
        client, body, loading_view(v.PLATFORM_TITLE, "Loading the number and the account's applications and entities…")
    )
    number = await _load_owned(services, client, view_id, v.PLATFORM_TITLE, number_key)
    if number is None:
        return
    try:
        applications, entities = await load_platforms(services.infobip)
    except InfobipError as error:
        headline, details = explain_numbers_error(error)
        await update_view(client, view_id, v.outcome_view(v.PLATFORM_TITLE, f":warning: {headline}", details))
        return
    metadata = OwnedContext.from_number(number, number_key, owned).dump()
    await update_view(client, view_id, v.platform_form(number, metadata, applications, entities))


async def platform_submitted(services: Services, ack, body, client) -> None:
    user = body["user"]["id"]
    view = body["view"]
    context = OwnedContext.load(view.get("private_metadata"))
    if await intent_views.answered_as_repeat(
        services,
        client,
        ack,
        view,
        render=outcomes.platform_view,
        working=loading_view(v.PLATFORM_TITLE, f"Saving {context.display}…"),
    ):
        return
    if not services.may_manage_routing(user):  # the permission may have changed since the click
        await ack(response_action="update", view=v.refusal_view(v.PLATFORM_TITLE, _platform_refusal_text(services)))
        return
    application_id, entity_id = chosen_platform(flatten_state_values(view["state"]["values"]))
    if not application_id:
        await ack(
            errors_response({APPLICATION_BLOCK: "Choose an application (Infobip needs one; `default` if in doubt)."})
        )
        return
    if (application_id, entity_id) == (context.application_id, context.entity_id):
        await ack(
            response_action="update",
            view=v.outcome_view(v.PLATFORM_TITLE, f"{escape(context.display)} is already there: nothing to change."),
        )
        return
    await intent_views.submit_once(
        services,
        client,
        ack,
        view,
        use_case=SET_NUMBER_PLATFORM,
        wanted=set_number_platform.wanted(
            key=view_key(view),
            actor=user,
            number_key=context.number_key,
            number=context.number,
            before=(context.application_id, context.entity_id),
            after=(application_id, entity_id),
            view_id=view["id"],
            notice_channel=_notice_channel(services, context.owned),
        ),
        working=loading_view(v.PLATFORM_TITLE, f"Saving {context.display}…"),
        render=outcomes.platform_view,
        busy=lambda other: intent_views.busy_view(v.PLATFORM_TITLE, other, f"changing {context.display}"),
        after=refresh_owned(services, client, view, context.owned, user),
    )


# -- cancel --------------------------------------------------------------------------------


async def cancel_clicked(services: Services, ack, body, client) -> None:
    await ack()
    user = body["user"]["id"]
    if not services.may_manage_numbers(user):
        await _refuse(client, body, v.CANCEL_TITLE, numbers_refusal(services, "cancel numbers"))
        return
    number_key = body["actions"][0].get("value") or ""
    owned = _owned_context(body)
    view_id, _ = await open_child(client, body, loading_view(v.CANCEL_TITLE, "Loading the number…"))
    number = await _load_owned(services, client, view_id, v.CANCEL_TITLE, number_key)
    if number is None:
        return
    metadata = OwnedContext.from_number(number, number_key, owned).dump()
    await update_view(client, view_id, v.cancel_confirm_view(number, metadata))


async def cancel_confirmed(services: Services, ack, body, client) -> None:
    user = body["user"]["id"]
    view = body["view"]
    context = OwnedContext.load(view.get("private_metadata"))
    if await intent_views.answered_as_repeat(
        services,
        client,
        ack,
        view,
        render=outcomes.cancel_view,
        working=loading_view(v.CANCEL_TITLE, f"Cancelling {context.display}…"),
    ):
        return
    if not services.may_manage_numbers(user):
        await ack(
            response_action="update", view=v.refusal_view(v.CANCEL_TITLE, numbers_refusal(services, "cancel numbers"))
        )
        return
    await intent_views.submit_once(
        services,
        client,
        ack,
        view,
        use_case=CANCEL_NUMBER,
        wanted=cancel_number.wanted(
            key=view_key(view),
            actor=user,
            number=context,
            view_id=view["id"],
            notice_channel=services.settings.resourcebot_channel
            or (context.owned.channel_id if context.owned else None)
            or user,
        ),
        working=loading_view(v.CANCEL_TITLE, f"Cancelling {context.display}…"),
        render=outcomes.cancel_view,
        busy=lambda other: intent_views.busy_view(v.CANCEL_TITLE, other, f"changing {context.display}"),
        after=refresh_owned(services, client, view, context.owned, user),
    )


def register(app: AsyncApp, services: Services) -> None:
    app.action(SEARCH_PAGES)(partial(search_page, services))
    app.action(OWNED_PAGES)(partial(owned_page, services))
    app.action(v.BUY_ACTION)(partial(buy_clicked, services))
    app.action(v.REQUEST_INSTEAD_ACTION)(partial(request_instead, services))
    app.view(v.BUY_CONFIRM)(partial(buy_confirmed, services))
    app.action(v.SET_PLATFORM_ACTION)(partial(set_platform_clicked, services))
    app.view(v.PLATFORM_FORM)(partial(platform_submitted, services))
    app.action(v.CANCEL_ACTION)(partial(cancel_clicked, services))
    app.view(v.CANCEL_CONFIRM)(partial(cancel_confirmed, services))
