"""Block Kit for numbers: the numbers-on-offer and my-numbers modals, the confirmations and the
channel notices. Pure builders: state comes in, a view or message goes out."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.domain.numbers import (
    OWNED_PAGE_SIZE,
    SEARCH_PAGE_SIZE,
    Offer,
    OwnedNumber,
    PageWindow,
    country_name,
    display_number,
    due_at_purchase,
    money,
    type_label,
)
from bot.providers.infobip.models import Application, Entity, Number, NumberList, Requirement
from bot.slack import permissions
from bot.slack.approvals.messages import reason_block, waiting_note, who_decides
from bot.slack.blocks import button, context, paging, section
from bot.slack.mrkdwn import BLOCK_ID_MAX, MODAL_TITLE_MAX, escape
from bot.slack.numbers.metadata import OwnedState, SearchState
from bot.slack.numbers.text import (
    charge_lines,
    facts_text,
    monthly_charge,
    no_match_text,
    offer_row,
    owned_row,
    platform_text,
    price_text,
    requirement_names,
)
from bot.slack.platform_pickers import application_block, entity_block
from bot.slack.views import modal

# Callback ids of the modals and action ids of their buttons.
SEARCH_VIEW = "numbers_search"
OWNED_VIEW = "my_numbers"
BUY_CONFIRM = "number_buy_confirm"
PLATFORM_FORM = "number_set_platform_form"
CANCEL_CONFIRM = "number_cancel_confirm"

BUY_ACTION = "number_buy"  # value: Offer (compact JSON)
REQUEST_INSTEAD_ACTION = "number_buy_request"
SEARCH_PAGE_ACTIONS = ("numbers_page_prev", "numbers_page_next", "numbers_page_retry")  # value: the page
OWNED_PAGE_ACTIONS = ("my_numbers_page_prev", "my_numbers_page_next", "my_numbers_page_retry")
SET_PLATFORM_ACTION = "number_set_platform"  # value: numberKey
ROUTING_ACTION = "number_routing"  # value: numberKey; the inbound-routing modal (associations)
CANCEL_ACTION = "number_cancel"  # value: numberKey

SEARCH_TITLE = "Numbers on offer"
OWNED_TITLE = "My numbers"
BUY_TITLE = "Buy number"
PLATFORM_TITLE = "Application and entity"
CANCEL_TITLE = "Cancel number"


def _numbers_modal(
    title: str,
    callback_id: str,
    state: SearchState | OwnedState,
    heading: str,
    result: NumberList | None,
    error: tuple[str, list[str]] | None,
    *,
    actions: tuple[str, str, str],
    page_size: int,
    empty: str,
    rows: Callable[[NumberList], list[dict]],
) -> dict:
    """A page of a numbers list under its heading: `rows(result)` and the paging, or what Infobip
    answered instead (with Try again), or `empty` when nothing matches."""
    if error is not None or result is None:
        headline, details = error or ("Infobip did not answer.", [])
        blocks = [section(heading), section(f":warning: {headline}")]
        if details:
            blocks.append(context("\n".join(details)))
        blocks.append(
            {"type": "actions", "block_id": "retry", "elements": [button("Try again", actions[2], str(state.page))]}
        )
    elif not result.numbers:
        blocks = [section(heading), section(f":mag: {empty}")]
    else:
        window = PageWindow(state.page, page_size, result.number_count)
        blocks = [section(f"{heading}\n{window.text()}"), *rows(result)]
        blocks += paging(window.page, window.page_count, (actions[0], actions[1]), block_id="paging")
    return modal(title, blocks, callback_id=callback_id, private_metadata=state.dump())


def managers_text(managers: list[str]) -> str:
    return permissions.managers_text(managers, nobody=permissions.NO_NUMBER_MANAGERS)


# ---- numbers on offer ------------------------------------------------------------------------


def search_view(
    state: SearchState,
    result: NumberList | None,
    *,
    can_buy: bool,
    managers: list[str],
    error: tuple[str, list[str]] | None = None,
) -> dict:
    """One page of numbers on offer; `result` None with `error` when Infobip could not answer."""
    where = escape(country_name(state.country))
    filters = state.filters_text()

    def rows(result: NumberList) -> list[dict]:
        if can_buy:
            note = (
                "*Buy* shows exactly what will be charged before anything is bought. Where "
                "Infobip asks for documents first, you'll be offered a number request instead."
            )
        else:
            note = (
                f":lock: You can browse; buying is for number managers: {managers_text(managers)}. "
                f"Anyone can request numbers for review: `/resource number {escape(state.country)}`."
            )
        blocks = [context(note), {"type": "divider"}]
        for index, number in enumerate(result.numbers):
            offer = Offer.from_number(number, state.country)
            accessory = button("Buy", BUY_ACTION, offer.dump()) if offer else None
            # The row's index keeps block ids unique (two rows may share a key, or have none).
            block_id = f"offer:{index}:{number.number_key or number.number or ''}"
            blocks.append(section(offer_row(number), accessory=accessory, block_id=block_id))
        return blocks

    return _numbers_modal(
        SEARCH_TITLE,
        SEARCH_VIEW,
        state,
        f"*Numbers on offer in {where}*" + (f"\n{filters}" if filters else ""),
        result,
        error,
        actions=SEARCH_PAGE_ACTIONS,
        page_size=SEARCH_PAGE_SIZE,
        empty=no_match_text(state),
        rows=rows,
    )


def buy_confirm_view(
    offer: Offer,
    metadata: str,
    applications: list[Application],
    entities: list[Entity],
    *,
    approvers: list[str] | None = None,
) -> dict:
    """The last step before money is spent: the number, the exact charge, where it goes. With
    `approvers` (the purchase needs a decision), who will decide and a field for the reason."""
    facts = facts_text(country_name(offer.country), offer.type, offer.number, offer.capabilities, offer.shared)
    blocks = [
        section(f"*Buy {escape(offer.display)}?*\n{facts}\nKey `{escape(offer.number_key)}`"),
        section("\n".join(charge_lines(offer.price))),
        application_block(applications, optional=True, label="Put it on application"),
        entity_block(entities, label="Entity"),
    ]
    if approvers is not None:
        blocks += [
            reason_block(REASON_BLOCK, "What is the number for?"),
            context(
                f"Purchases need an approval: {who_decides(approvers)}. Nothing is bought or charged until "
                "one approves; you get a DM either way."
            ),
        ]
        submit = "Ask for approval"
    else:
        blocks.append(
            context(
                "Infobip charges the account as soon as you press Buy; it cannot be undone. Cancelling the "
                "number later (`/resource my-numbers`) stops the monthly charge."
            )
        )
        due = due_at_purchase(offer.price)
        submit = f"Buy for {money(due, offer.currency)}" if due is not None else "Buy"
        if len(submit) > MODAL_TITLE_MAX:
            submit = "Buy now"
    return modal(BUY_TITLE, blocks, callback_id=BUY_CONFIRM, submit=submit, close="Back", private_metadata=metadata)


REASON_BLOCK = "reason"


def approval_waiting_view(title: str, what: str, approvers: list[str], where: str, expires: str, nothing: str) -> dict:
    """The confirmation, submitted: the change (`what`, e.g. "purchase of +44 …") waits for a decision."""
    return modal(
        title,
        [
            section(f":hourglass_flowing_sand: *Your {escape(what)} waits for approval.*"),
            context(waiting_note(approvers, where, expires, nothing)),
        ],
    )


def request_instead_view(offer: Offer, number_type: str, requirements: list[Requirement], value: str) -> dict:
    """Infobip asks for details before it sells this kind of number here: go through a request."""
    where = escape(country_name(offer.country))
    kind = escape(type_label(number_type).lower())
    blocks = [
        section(
            f"*{where} asks for details before Infobip sells a {kind}.*\nNeeded: {requirement_names(requirements)}."
        ),
        section(
            "Buying directly would skip them, and Infobip has replaced direct purchase with *number "
            "requests*: you fill in the form, Infobip reviews it and assigns a number of this kind. "
            f"The exact number {escape(offer.display)} can't be reserved this way."
        ),
        {
            "type": "actions",
            "block_id": "request",
            "elements": [button("Start a number request", REQUEST_INSTEAD_ACTION, value, style="primary")],
        },
        context(f"For reference, {escape(offer.display)} is offered at {price_text(offer.price)}."),
    ]
    return modal(BUY_TITLE, blocks, close="Back")


def request_instead_value(country: str, number_type: str, capabilities: list[str], channel_id: str | None) -> str:
    value: dict[str, Any] = {"c": country, "t": number_type, "cap": capabilities}
    if channel_id:
        value["ch"] = channel_id
    return json.dumps(value, separators=(",", ":"))


def bought_view(offer: Offer, number: Number, where: str | None) -> dict:
    shown = escape(display_number(number.number or offer.number, number.type or offer.type))
    lines = [
        f"Key `{escape(number.number_key or offer.number_key)}` · "
        f"{platform_text(number.application_id, number.entity_id)}",
        f"Price: {price_text(number.price or offer.price)}",
    ]
    if where:
        lines.append(f"Posted in {where}.")
    blocks = [section(f":white_check_mark: *{shown} is yours.*"), context("\n".join(lines))]
    return modal(BUY_TITLE, blocks)


def outcome_view(title: str, headline: str, details: list[str] | None = None) -> dict:
    blocks = [section(headline)]
    if details:
        blocks.append(context("\n".join(details)))
    return modal(title, blocks)


def refusal_view(title: str, text: str) -> dict:
    return modal(title, [section(f":lock: {text}")])


# ---- owned numbers ---------------------------------------------------------------------------


def owned_view(
    state: OwnedState,
    result: NumberList | None,
    *,
    can_manage: bool,
    managers: list[str],
    error: tuple[str, list[str]] | None = None,
) -> dict:
    def rows(result: NumberList) -> list[dict]:
        blocks = []
        if not can_manage:
            blocks.append(
                context(f":lock: You can look; cancelling numbers is for number managers: {managers_text(managers)}.")
            )
        for number in result.numbers:
            blocks += [{"type": "divider"}, section(owned_row(number))]
            if key := number.number_key:
                buttons = [
                    button("Set application/entity", SET_PLATFORM_ACTION, key),
                    button("Inbound routing", ROUTING_ACTION, key),
                    button("Cancel number", CANCEL_ACTION, key, style="danger"),
                ]
                blocks.append({"type": "actions", "block_id": f"owned:{key}"[:BLOCK_ID_MAX], "elements": buttons})
        return blocks

    empty = (
        f"No number of the account contains {escape(state.digits)}."
        if state.digits
        else "The account has no numbers yet. Browse what's on offer with `/resource numbers &lt;country&gt;`."
    )
    return _numbers_modal(
        OWNED_TITLE,
        OWNED_VIEW,
        state,
        "*The account's numbers*" + (f" containing {escape(state.digits)}" if state.digits else ""),
        result,
        error,
        actions=OWNED_PAGE_ACTIONS,
        page_size=OWNED_PAGE_SIZE,
        empty=empty,
        rows=rows,
    )


def platform_form(number: Number, metadata: str, applications: list[Application], entities: list[Entity]) -> dict:
    shown = escape(display_number(number.number, number.type))
    blocks = [
        section(f"*{shown}*\nNow: {platform_text(number.application_id, number.entity_id)}"),
        application_block(applications, number.application_id),
        entity_block(entities, number.entity_id),
        context("Messages to this number go to the application (and entity) chosen here."),
    ]
    return modal(
        PLATFORM_TITLE, blocks, callback_id=PLATFORM_FORM, submit="Save", close="Back", private_metadata=metadata
    )


def cancel_confirm_view(number: Number, metadata: str, *, approvers: list[str] | None = None) -> dict:
    """The danger confirmation; with `approvers` (cancellations need a decision), who will decide
    and a field for the reason."""
    shown = escape(display_number(number.number, number.type))
    charge = monthly_charge(number.price)
    monthly = f" Its monthly charge ({charge}) stops." if charge else ""
    blocks = [
        section(
            f":warning: *Cancel {shown}?*\n"
            f"{escape(country_name(number.country, number.country_name))} · "
            f"{escape(type_label(number.type, number.number))} · "
            f"{platform_text(number.application_id, number.entity_id)} · "
            f"key `{escape(number.number_key or '')}`"
        ),
        section(
            "It goes back to Infobip's pool, where anyone can buy it; its associations and inbound "
            f"routing go with it. Messages to it stop reaching the account.{monthly}\n"
            "*This cannot be undone.*"
        ),
    ]
    submit = "Cancel number"
    if approvers is not None:
        blocks += [
            reason_block(REASON_BLOCK, "Why is it no longer needed?"),
            context(f"Cancellations need an approval: {who_decides(approvers)}. Nothing is cancelled until then."),
        ]
        submit = "Ask for approval"
    return modal(
        CANCEL_TITLE,
        blocks,
        callback_id=CANCEL_CONFIRM,
        submit=submit,
        close="Keep it",
        private_metadata=metadata,
    )


# ---- channel notices -------------------------------------------------------------------------


def purchase_notice(user: str, offer: Offer, number: Number) -> tuple[str, list[dict]]:
    """(fallback text, blocks) for the channel: number, key, price, who bought it."""
    shown = escape(display_number(number.number or offer.number, number.type or offer.type))
    key = escape(number.number_key or offer.number_key)
    text = f"<@{user}> bought {shown} (key {key})."
    facts = facts_text(
        country_name(number.country or offer.country, number.country_name),
        number.type or offer.type,
        number.number or offer.number,
        number.capabilities or offer.capabilities,
        None,
    )
    blocks = [
        section(f":telephone_receiver: <@{user}> bought *{shown}*\n{facts}"),
        context(
            f"Key `{key}` · {price_text(number.price or offer.price)} · "
            f"{platform_text(number.application_id, number.entity_id)}"
        ),
    ]
    return text, blocks


def cancel_notice(user: str, number: OwnedNumber) -> tuple[str, list[dict]]:
    shown = escape(display_number(number.number, number.type))
    key = escape(number.number_key)
    text = f"<@{user}> cancelled {shown} (key {key})."
    blocks = [
        section(f":wastebasket: <@{user}> cancelled *{shown}*: it is back in Infobip's pool."),
        context(
            f"Key `{key}` · was {platform_text(number.application_id, number.entity_id)} · {price_text(number.price)}"
        ),
    ]
    return text, blocks
