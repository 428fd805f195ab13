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
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from pydantic import ValidationError
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.approvals import CANCEL_NUMBER as CANCEL_NUMBER_KIND
from bot.domain.approvals import PURCHASE, deciders, needs_approval
from bot.domain.commands import MyNumbers, NumberForm, NumbersSearch
from bot.domain.numbers import (
    OWNED_PAGE_SIZE,
    SEARCH_PAGE_SIZE,
    Offer,
    blocking_requirements,
    country_name,
    last_page,
    request_capabilities,
    request_number_type,
    search_problem,
)
from bot.providers.infobip.errors import InfobipAPIError, InfobipError, InfobipNotFound, InfobipRateLimited
from bot.providers.infobip.models import Number, NumberList, NumberRequirementsQuery
from bot.services import Services
from bot.slack import intent_views
from bot.slack.acks import ack_with_loading_view, errors_response
from bot.slack.approvals.approvers import current_approvers
from bot.slack.approvals.messages import asked_where, kind_text, when
from bot.slack.form_context import FormContext
from bot.slack.invocation import Invocation
from bot.slack.middleware import form_values, view_metadata
from bot.slack.mrkdwn import escape
from bot.slack.numbers import outcomes
from bot.slack.numbers import views as v
from bot.slack.numbers.metadata import BuyContext, OwnedContext, OwnedState, SearchState
from bot.slack.numbers.outcomes import explain_numbers_error
from bot.slack.permissions import NUMBERS, ROUTING, Actor, Permission, number_managers
from bot.slack.platform_pickers import APPLICATION_BLOCK, chosen_platform, load_platforms
from bot.slack.replies import clicked_channel, notice_channel, open_child, tell, update_view
from bot.slack.request_forms import show_form
from bot.slack.views import loading_view
from bot.store.intents import Intent, IntentState
from bot.usecases import approvals, buy_number, cancel_number, set_number_platform
from bot.usecases.buy_number import BUY_NUMBER
from bot.usecases.cancel_number import CANCEL_NUMBER
from bot.usecases.common import view_key
from bot.usecases.runner import Asked, UseCase, Wanted
from bot.usecases.set_number_platform import SET_NUMBER_PLATFORM

P = TypeVar("P", SearchState, OwnedState)


# ---- the changes a confirmation asks for -----------------------------------------------------


@dataclass(frozen=True)
class _Change:
    """A change to a number that a confirmation modal asks for: its title, who may make it (checked when
    the button is clicked and again when the confirmation is submitted), the use case that makes it,
    and how its outcome reads."""

    title: str
    permission: Permission
    what: str  # what only they may do, e.g. "buy numbers"
    use_case: UseCase
    render: Callable[[Intent], dict[str, Any]]
    working: str  # "Buying" +44…
    busy: str  # someone else is "buying or changing" +44…

    def refusal(self, actor: Actor) -> str | None:
        return actor.refusal(self.permission, self.what)


BUY = _Change(v.BUY_TITLE, NUMBERS, "buy numbers", BUY_NUMBER, outcomes.purchase_view, "Buying", "buying or changing")
# Putting a number on an application/entity is its number-level inbound routing: the same PUT the
# inbound-routing modal makes, for routing managers only.
MOVE = _Change(
    v.PLATFORM_TITLE,
    ROUTING,
    "move numbers between applications",
    SET_NUMBER_PLATFORM,
    outcomes.platform_view,
    "Saving",
    "changing",
)
CANCEL = _Change(
    v.CANCEL_TITLE, NUMBERS, "cancel numbers", CANCEL_NUMBER, outcomes.cancel_view, "Cancelling", "changing"
)


# ---- Slack helpers ---------------------------------------------------------------------------


async def _refused(client: AsyncWebClient, body: dict, actor: Actor, change: _Change) -> bool:
    """True when `actor` may not make `change`, once told where they are looking: over their modal,
    else ephemerally."""
    refusal = change.refusal(actor)
    if refusal is None:
        return False
    if (body.get("view") or {}).get("type") == "modal":
        await client.views_push(trigger_id=body["trigger_id"], view=v.refusal_view(change.title, refusal))
    else:
        await tell(client, actor.id, clicked_channel(body), f":lock: {refusal}")
    return True


def _notice_channel(services: Services, owned: OwnedState | None) -> str | None:
    """Where a change to one of the account's numbers is announced (see provisioning's announce)."""
    return notice_channel(services, owned.channel_id if owned else None)


# ---- numbers on offer ------------------------------------------------------------------------


async def _numbers_page(
    fetch: Callable[[Any], Awaitable[NumberList]], state: P, page_size: int
) -> tuple[P, NumberList | None, tuple[str, list[str]] | None]:
    """One page of numbers for `state`: (the state shown, its numbers or None, what went wrong)."""
    try:
        result = await fetch(state.query(page_size))
        if not result.numbers and result.number_count and state.page:
            # Fewer numbers than when the page was asked for: show the last page that has some.
            state = state.at_page(last_page(result.number_count, page_size))
            result = await fetch(state.query(page_size))
    except InfobipNotFound:  # Infobip's way of saying "none match" on some accounts
        return state, NumberList(), None
    except InfobipError as error:
        return state, None, explain_numbers_error(error)
    return state, result, None


async def search_numbers(services: Services, state: SearchState, actor: Actor) -> dict:
    """The numbers-on-offer modal for `state` (a no-match or an error is a view too)."""
    state, result, error = await _numbers_page(services.infobip.get_available_numbers, state, SEARCH_PAGE_SIZE)
    return v.search_view(state, result, error=error, can_buy=actor.may(NUMBERS), managers=number_managers(services))


async def owned_numbers(services: Services, state: OwnedState, actor: Actor) -> dict:
    state, result, error = await _numbers_page(services.infobip.list_owned_numbers, state, OWNED_PAGE_SIZE)
    return v.owned_view(state, result, error=error, can_manage=actor.may(NUMBERS), managers=number_managers(services))


async def open_numbers_search(invocation: Invocation, command: NumbersSearch) -> None:
    if problem := search_problem(command):
        await invocation.show(v.outcome_view(v.SEARCH_TITLE, f":warning: {escape(problem)}"))
        return
    state = SearchState.from_command(command, invocation.channel_id)
    await invocation.loading(v.SEARCH_TITLE, f"Looking up numbers on offer in {country_name(state.country)}…")
    await invocation.show(await search_numbers(invocation.services, state, invocation.actor))


async def open_my_numbers(invocation: Invocation, command: MyNumbers) -> None:
    if problem := search_problem(command):
        await invocation.show(v.outcome_view(v.OWNED_TITLE, f":warning: {escape(problem)}"))
        return
    state = OwnedState(digits=command.digits, channel_id=invocation.channel_id)
    await invocation.loading(v.OWNED_TITLE, "Looking up the account's numbers…")
    await invocation.show(await owned_numbers(invocation.services, state, invocation.actor))


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
        # Asked afresh, not from the forms' cache: whether a number may be bought directly is
        # decided on what Infobip requires now (money is spent on the answer).
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


# ---- a confirmation's submission: one change, made once ---------------------------------------


async def _confirmed(
    services: Services,
    client: AsyncWebClient,
    ack,
    view: dict,
    actor: Actor,
    change: _Change,
    *,
    shown: str,
    wanted: Wanted,
    after: Callable[[Intent], Awaitable[None]],
    problem: dict[str, Any] | None = None,
) -> None:
    """A repeat gets the first one's outcome; someone who may not (any more) gets the refusal, a form that
    can't be taken the ack `problem`; otherwise the change `wanted` (see `_asked`) is made once
    (bot/slack/intent_views.py) and `after` refreshes the list under it. `shown`: the number, in text."""
    working = loading_view(change.title, f"{change.working} {shown}…")
    if await intent_views.answered_as_repeat(services, client, ack, view, render=change.render, working=working):
        return
    if refusal := change.refusal(actor):  # the permission may have changed since the click
        await ack(response_action="update", view=v.refusal_view(change.title, refusal))
        return
    if problem is not None:
        await ack(**problem)
        return
    await intent_views.submit_once(
        services,
        client,
        ack,
        view,
        use_case=change.use_case,
        wanted=wanted,
        working=working,
        render=change.render,
        busy=lambda other: intent_views.busy_view(change.title, other, f"{change.busy} {shown}"),
        after=after,
    )


def _asked(view: dict, actor: Actor, notice_channel: str | None) -> Asked:
    """A change asked for by confirming it in the modal `view`, announced in `notice_channel`."""
    return Asked(view_key(view), actor.id, view["id"], notice_channel)


def _announced_in(services: Services, channel: str | None, actor: Actor) -> str:
    """Where a purchase or a cancellation is announced: RESOURCEBOT_CHANNEL, else where the list was
    opened, else the buyer's DM."""
    return services.settings.resourcebot_channel or channel or actor.id


def _refresh(client: AsyncWebClient, view: dict, listed: Callable[[], Awaitable[dict]] | None):
    """After a change made over a list (numbers on offer, my numbers): that list, `listed()`, as it is now."""

    async def refresh(intent: Intent) -> None:
        root = view.get("root_view_id")
        if root and root != view.get("id") and listed is not None and intent.state == IntentState.DONE:
            await update_view(client, root, await listed())

    return refresh


# ---- listeners: module-level handlers, registered at the bottom -----------------------------

SEARCH_PAGES = re.compile("^(" + "|".join(v.SEARCH_PAGE_ACTIONS) + ")$")
OWNED_PAGES = re.compile("^(" + "|".join(v.OWNED_PAGE_ACTIONS) + ")$")


async def search_page(services: Services, ack, body, client, actor: Actor, metadata: SearchState) -> None:
    await ack()
    view = body["view"]
    state = metadata.at_page(int(body["actions"][0].get("value") or 0))
    await update_view(client, view["id"], await search_numbers(services, state, actor), hash=view.get("hash"))


async def owned_page(services: Services, ack, body, client, actor: Actor, metadata: OwnedState) -> None:
    await ack()
    view = body["view"]
    state = metadata.at_page(int(body["actions"][0].get("value") or 0))
    await update_view(client, view["id"], await owned_numbers(services, state, actor), hash=view.get("hash"))


# -- buy -----------------------------------------------------------------------------------


async def buy_clicked(services: Services, ack, body, client, actor: Actor, metadata: SearchState | None) -> None:
    """`metadata`: the search the Buy button was clicked in, to refresh after the purchase."""
    await ack()
    if await _refused(client, body, actor, BUY):
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
    search = metadata
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
    metadata_text = BuyContext(offer=offer, search=search).dump()
    approvers = await _approvers(services, actor, offer)
    await update_view(
        client, view_id, v.buy_confirm_view(offer, metadata_text, applications, entities, approvers=approvers)
    )


def _needs_approval(services: Services, offer: Offer | None = None) -> bool:
    """Whether a purchase of `offer` (None: a cancellation) waits for a decision."""
    settings = services.settings
    return needs_approval(
        PURCHASE if offer else CANCEL_NUMBER_KIND,
        approvers=settings.resourcebot_approvers,
        approval_for=settings.resourcebot_approval_for,
        monthly_price=offer.per_month if offer else None,
        free_below=settings.resourcebot_approval_free_below,
    )


async def _approvers(services: Services, actor: Actor, offer: Offer | None = None) -> list[str] | None:
    """Who will decide on `actor`'s purchase of `offer` (None: a cancellation); None when it needs no approval."""
    if not _needs_approval(services, offer):
        return None
    return deciders(actor.id, await current_approvers(services))


async def _ask_approval(
    services: Services, client: AsyncWebClient, ack, view: dict, actor: Actor, change: _Change, wanted: Wanted, summary
) -> None:
    """A purchase or cancellation that needs a decision: stored as waiting (once), and the modal says who decides."""
    shown, kind = summary["what"], PURCHASE if change is BUY else CANCEL_NUMBER_KIND
    working = loading_view(change.title, f"{change.working} {shown}…")
    # Approved meanwhile (a late repeat): its intent has the same key, and its outcome is shown.
    if await intent_views.answered_as_repeat(services, client, ack, view, render=change.render, working=working):
        return
    if refusal := change.refusal(actor):
        await ack(response_action="update", view=v.refusal_view(change.title, refusal))
        return
    # Acked at once: reading user groups from Slack and the store's write must not make it late.
    acked_at = await ack_with_loading_view(ack, change.title, f"Asking for approval of {shown}…")
    approvers = await current_approvers(services)
    created = await approvals.request(
        services, change.use_case, wanted, kind=kind, summary=summary, approvers=approvers
    )
    approval, text = created.approval, kind_text(created.approval)
    if created.busy:
        answer = v.outcome_view(
            change.title,
            f":hourglass_flowing_sand: <@{escape(approval.requester)}> already asked for the {text.noun} "
            f"{escape(shown)}: it waits for approval.",
            ["Nothing more was asked for."],
        )
    else:
        answer = v.approval_waiting_view(
            change.title,
            f"{text.noun} {shown}",
            deciders(approval.requester, approvers),
            asked_where(services.settings.resourcebot_approval_channel),
            when(approval.expires_at),
            text.waiting,
        )
    await update_view(client, view["id"], answer, acked_at=acked_at)


async def request_instead(services: Services, ack, body, client, actor: Actor) -> None:
    await ack()
    value = json.loads(body["actions"][0].get("value") or "{}")
    command = NumberForm(value["c"], value["t"], tuple(value.get("cap") or ("SMS",)), 1)
    context = FormContext.for_command(command, value.get("ch"))
    view_id = body["view"]["id"]
    await update_view(client, view_id, loading_view("New request", "Loading the requirements from Infobip…"))
    await show_form(services, client, view_id=view_id, user=actor.id, context=context)


async def buy_confirmed(
    services: Services, ack, body, client, actor: Actor, values: dict, metadata: BuyContext
) -> None:
    offer, search = metadata.offer, metadata.search
    application_id, entity_id = chosen_platform(values)
    channel = _announced_in(services, search.channel_id if search else None, actor)
    wanted = buy_number.wanted(
        _asked(body["view"], actor, channel), offer=offer, application_id=application_id, entity_id=entity_id
    )
    if _needs_approval(services, offer):
        summary = {
            "what": offer.display,
            "offer": offer.model_dump(mode="json"),
            "country": country_name(offer.country),
            "where": channel,
            "reason": str(values.get(v.REASON_BLOCK) or "").strip() or None,
            "application": application_id,
            "entity": entity_id,
        }
        await _ask_approval(services, client, ack, body["view"], actor, BUY, wanted, summary)
        return
    await _confirmed(
        services,
        client,
        ack,
        body["view"],
        actor,
        BUY,
        shown=offer.display,
        wanted=wanted,
        after=_refresh(client, body["view"], partial(search_numbers, services, search, actor) if search else None),
    )


# -- set application/entity ----------------------------------------------------------------


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


async def set_platform_clicked(
    services: Services, ack, body, client, actor: Actor, metadata: OwnedState | None
) -> None:
    """`metadata`: the my-numbers list the button was clicked in, to refresh after the change."""
    await ack()
    if await _refused(client, body, actor, MOVE):
        return
    number_key = body["actions"][0].get("value") or ""
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
    metadata_text = OwnedContext.from_number(number, number_key, metadata).dump()
    await update_view(client, view_id, v.platform_form(number, metadata_text, applications, entities))


async def platform_submitted(
    services: Services, ack, body, client, actor: Actor, values: dict, metadata: OwnedContext
) -> None:
    context = metadata
    application_id, entity_id = chosen_platform(values)
    problem = None
    if not application_id:
        problem = errors_response(
            {APPLICATION_BLOCK: "Choose an application (Infobip needs one; `default` if in doubt)."}
        )
    elif (application_id, entity_id) == (context.application_id, context.entity_id):
        nothing = v.outcome_view(v.PLATFORM_TITLE, f"{escape(context.display)} is already there: nothing to change.")
        problem = {"response_action": "update", "view": nothing}
    view = body["view"]
    wanted = set_number_platform.wanted(
        _asked(view, actor, _notice_channel(services, context.owned)),
        number_key=context.number_key,
        number=context.number,
        before=(context.application_id, context.entity_id),
        after=(application_id, entity_id),
    )
    after = _refresh_owned(services, client, view, context.owned, actor)
    await _confirmed(
        services, client, ack, view, actor, MOVE, shown=context.display, wanted=wanted, after=after, problem=problem
    )


def _refresh_owned(services: Services, client: AsyncWebClient, view: dict, owned: OwnedState | None, actor: Actor):
    return _refresh(client, view, partial(owned_numbers, services, owned, actor) if owned else None)


# -- cancel --------------------------------------------------------------------------------


async def cancel_clicked(services: Services, ack, body, client, actor: Actor, metadata: OwnedState | None) -> None:
    """`metadata`: the my-numbers list the button was clicked in, to refresh after the cancellation."""
    await ack()
    if await _refused(client, body, actor, CANCEL):
        return
    number_key = body["actions"][0].get("value") or ""
    view_id, _ = await open_child(client, body, loading_view(v.CANCEL_TITLE, "Loading the number…"))
    number = await _load_owned(services, client, view_id, v.CANCEL_TITLE, number_key)
    if number is None:
        return
    metadata_text = OwnedContext.from_number(number, number_key, metadata).dump()
    approvers = await _approvers(services, actor)
    await update_view(client, view_id, v.cancel_confirm_view(number, metadata_text, approvers=approvers))


async def cancel_confirmed(
    services: Services, ack, body, client, actor: Actor, metadata: OwnedContext, values: dict
) -> None:
    context, view = metadata, body["view"]
    channel = _announced_in(services, context.owned.channel_id if context.owned else None, actor)
    wanted = cancel_number.wanted(_asked(view, actor, channel), number=context)
    if _needs_approval(services):
        summary = outcomes.cancel_summary(context, channel, str(values.get(v.REASON_BLOCK) or "").strip() or None)
        await _ask_approval(services, client, ack, view, actor, CANCEL, wanted, summary)
        return
    after = _refresh_owned(services, client, view, context.owned, actor)
    await _confirmed(services, client, ack, view, actor, CANCEL, shown=context.display, wanted=wanted, after=after)


def register(app: AsyncApp, services: Services) -> None:
    searched, owned = view_metadata(SearchState), view_metadata(OwnedState)
    app.action(SEARCH_PAGES, middleware=[searched])(partial(search_page, services))
    app.action(OWNED_PAGES, middleware=[owned])(partial(owned_page, services))
    app.action(v.BUY_ACTION, middleware=[view_metadata(SearchState, only_in=v.SEARCH_VIEW)])(
        partial(buy_clicked, services)
    )
    app.action(v.REQUEST_INSTEAD_ACTION)(partial(request_instead, services))
    app.view(v.BUY_CONFIRM, middleware=[view_metadata(BuyContext), form_values])(partial(buy_confirmed, services))
    in_my_numbers = view_metadata(OwnedState, only_in=v.OWNED_VIEW)
    app.action(v.SET_PLATFORM_ACTION, middleware=[in_my_numbers])(partial(set_platform_clicked, services))
    app.view(v.PLATFORM_FORM, middleware=[view_metadata(OwnedContext), form_values])(
        partial(platform_submitted, services)
    )
    app.action(v.CANCEL_ACTION, middleware=[in_my_numbers])(partial(cancel_clicked, services))
    app.view(v.CANCEL_CONFIRM, middleware=[view_metadata(OwnedContext), form_values])(
        partial(cancel_confirmed, services)
    )
