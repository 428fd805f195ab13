"""Block Kit for numbers: the numbers-on-offer and my-numbers modals, the confirmations and the
channel notices. Pure builders: state comes in, a view or message goes out."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.mrkdwn import (
    BLOCK_ID_MAX,
    MODAL_TITLE_MAX,
    escape,
    mrkdwn_text,
    plain_text,
)
from bot.domain.numbers import (
    OWNED_PAGE_SIZE,
    SEARCH_PAGE_SIZE,
    Offer,
    OwnedState,
    PageWindow,
    SearchState,
    capabilities_text,
    charge_lines,
    country_name,
    display_number,
    due_at_purchase,
    money,
    no_match_text,
    offer_row,
    owned_row,
    platform_text,
    price_text,
    requirement_names,
    shared_text,
    type_label,
)
from bot.providers.infobip.models import Application, Entity, Number, NumberList, Requirement
from bot.slack import permissions
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


def _section(text: str, accessory: dict | None = None, block_id: str | None = None) -> dict:
    block: dict[str, Any] = {"type": "section", "text": mrkdwn_text(text)}
    if accessory:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id[:BLOCK_ID_MAX]
    return block


def _context(text: str) -> dict:
    return {"type": "context", "elements": [mrkdwn_text(text)]}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "text": plain_text(text, 75), "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button


def _paging(window: PageWindow, actions: tuple[str, str, str], block_id: str) -> dict | None:
    buttons = []
    if window.has_previous:
        buttons.append(_button("◀ Previous", actions[0], str(window.page - 1)))
    if window.has_next:
        buttons.append(_button("Next ▶", actions[1], str(window.page + 1)))
    return {"type": "actions", "block_id": block_id, "elements": buttons} if buttons else None


def _error_blocks(headline: str, details: list[str], retry_action: str, page: int) -> list[dict]:
    blocks = [_section(f":warning: {headline}")]
    if details:
        blocks.append(_context("\n".join(details)))
    blocks.append({"type": "actions", "block_id": "retry", "elements": [_button("Try again", retry_action, str(page))]})
    return blocks


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
    heading = f"*Numbers on offer in {where}*" + (f"\n{filters}" if filters else "")
    blocks: list[dict] = []
    if error is not None or result is None:
        headline, details = error or ("Infobip did not answer.", [])
        blocks.append(_section(heading))
        blocks += _error_blocks(headline, details, SEARCH_PAGE_ACTIONS[2], state.page)
        return modal(SEARCH_TITLE, blocks, callback_id=SEARCH_VIEW, private_metadata=state.dump())
    window = PageWindow(state.page, SEARCH_PAGE_SIZE, result.number_count)
    if not result.numbers:
        blocks.append(_section(heading))
        blocks.append(_section(f":mag: {no_match_text(state)}"))
        return modal(SEARCH_TITLE, blocks, callback_id=SEARCH_VIEW, private_metadata=state.dump())
    blocks.append(_section(f"{heading}\n{window.text()}"))
    if can_buy:
        blocks.append(
            _context(
                "*Buy* shows exactly what will be charged before anything is bought. Where "
                "Infobip asks for documents first, you'll be offered a number request instead."
            )
        )
    else:
        blocks.append(
            _context(
                f":lock: You can browse; buying is for number managers: {managers_text(managers)}. "
                f"Anyone can request numbers for review: `/resource number {escape(state.country)}`."
            )
        )
    blocks.append({"type": "divider"})
    for index, number in enumerate(result.numbers):
        offer = Offer.from_number(number, state.country)
        accessory = _button("Buy", BUY_ACTION, offer.dump()) if offer else None
        # The row's index keeps block ids unique (two rows may share a key, or have none).
        blocks.append(
            _section(offer_row(number), accessory, block_id=f"offer:{index}:{number.number_key or number.number or ''}")
        )
    paging = _paging(window, SEARCH_PAGE_ACTIONS, "paging")
    if paging:
        blocks.append(paging)
    return modal(SEARCH_TITLE, blocks, callback_id=SEARCH_VIEW, private_metadata=state.dump())


def buy_confirm_view(offer: Offer, metadata: str, applications: list[Application], entities: list[Entity]) -> dict:
    """The last step before money is spent: the number, the exact charge, where it goes."""
    facts = [
        escape(country_name(offer.country)),
        escape(type_label(offer.type, offer.number)),
        escape(capabilities_text(offer.capabilities)),
    ]
    if shared := shared_text(offer.shared):
        facts.append(shared)
    blocks = [
        _section(f"*Buy {escape(offer.display)}?*\n" + " · ".join(facts) + f"\nKey `{escape(offer.number_key)}`"),
        _section("\n".join(charge_lines(offer.price))),
        application_block(applications, optional=True, label="Put it on application"),
        entity_block(entities, label="Entity"),
        _context(
            "Infobip charges the account as soon as you press Buy; it cannot be undone. Cancelling the "
            "number later (`/resource my-numbers`) stops the monthly charge."
        ),
    ]
    due = due_at_purchase(offer.price)
    submit = f"Buy for {money(due, offer.currency)}" if due is not None else "Buy"
    if len(submit) > MODAL_TITLE_MAX:
        submit = "Buy now"
    return modal(BUY_TITLE, blocks, callback_id=BUY_CONFIRM, submit=submit, close="Back", private_metadata=metadata)


def request_instead_view(offer: Offer, number_type: str, requirements: list[Requirement], value: str) -> dict:
    """Infobip asks for details before it sells this kind of number here: go through a request."""
    where = escape(country_name(offer.country))
    kind = escape(type_label(number_type).lower())
    blocks = [
        _section(
            f"*{where} asks for details before Infobip sells a {kind}.*\nNeeded: {requirement_names(requirements)}."
        ),
        _section(
            "Buying directly would skip them, and Infobip has replaced direct purchase with *number "
            "requests*: you fill in the form, Infobip reviews it and assigns a number of this kind. "
            f"The exact number {escape(offer.display)} can't be reserved this way."
        ),
        {
            "type": "actions",
            "block_id": "request",
            "elements": [_button("Start a number request", REQUEST_INSTEAD_ACTION, value, style="primary")],
        },
        _context(f"For reference, {escape(offer.display)} is offered at {price_text(offer.price)}."),
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
    blocks = [_section(f":white_check_mark: *{shown} is yours.*"), _context("\n".join(lines))]
    return modal(BUY_TITLE, blocks)


def outcome_view(title: str, headline: str, details: list[str] | None = None) -> dict:
    blocks = [_section(headline)]
    if details:
        blocks.append(_context("\n".join(details)))
    return modal(title, blocks)


def refusal_view(title: str, text: str) -> dict:
    return modal(title, [_section(f":lock: {text}")])


# ---- owned numbers ---------------------------------------------------------------------------


def owned_view(
    state: OwnedState,
    result: NumberList | None,
    *,
    can_manage: bool,
    managers: list[str],
    error: tuple[str, list[str]] | None = None,
) -> dict:
    heading = "*The account's numbers*" + (f" containing {escape(state.digits)}" if state.digits else "")
    blocks: list[dict] = []
    if error is not None or result is None:
        headline, details = error or ("Infobip did not answer.", [])
        blocks.append(_section(heading))
        blocks += _error_blocks(headline, details, OWNED_PAGE_ACTIONS[2], state.page)
        return modal(OWNED_TITLE, blocks, callback_id=OWNED_VIEW, private_metadata=state.dump())
    if not result.numbers:
        text = (
            f"No number of the account contains {escape(state.digits)}."
            if state.digits
            else "The account has no numbers yet. Browse what's on offer with `/resource numbers &lt;country&gt;`."
        )
        blocks += [_section(heading), _section(f":mag: {text}")]
        return modal(OWNED_TITLE, blocks, callback_id=OWNED_VIEW, private_metadata=state.dump())
    window = PageWindow(state.page, OWNED_PAGE_SIZE, result.number_count)
    blocks.append(_section(f"{heading}\n{window.text()}"))
    if not can_manage:
        blocks.append(
            _context(f":lock: You can look; cancelling numbers is for number managers: {managers_text(managers)}.")
        )
    for number in result.numbers:
        blocks.append({"type": "divider"})
        blocks.append(_section(owned_row(number)))
        key = number.number_key
        if key:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"owned:{key}"[:BLOCK_ID_MAX],
                    "elements": [
                        _button("Set application/entity", SET_PLATFORM_ACTION, key),
                        _button("Inbound routing", ROUTING_ACTION, key),
                        _button("Cancel number", CANCEL_ACTION, key, style="danger"),
                    ],
                }
            )
    paging = _paging(window, OWNED_PAGE_ACTIONS, "paging")
    if paging:
        blocks.append(paging)
    return modal(OWNED_TITLE, blocks, callback_id=OWNED_VIEW, private_metadata=state.dump())


def platform_form(number: Number, metadata: str, applications: list[Application], entities: list[Entity]) -> dict:
    shown = escape(display_number(number.number, number.type))
    blocks = [
        _section(f"*{shown}*\nNow: {platform_text(number.application_id, number.entity_id)}"),
        application_block(applications, number.application_id),
        entity_block(entities, number.entity_id),
        _context("Messages to this number go to the application (and entity) chosen here."),
    ]
    return modal(
        PLATFORM_TITLE, blocks, callback_id=PLATFORM_FORM, submit="Save", close="Back", private_metadata=metadata
    )


def cancel_confirm_view(number: Number, metadata: str) -> dict:
    shown = escape(display_number(number.number, number.type))
    price = number.price
    monthly = (
        f" Its monthly charge ({money(price.price_per_month, escape(price.currency or ''))}) stops."
        if price and price.price_per_month is not None
        else ""
    )
    blocks = [
        _section(
            f":warning: *Cancel {shown}?*\n"
            f"{escape(country_name(number.country, number.country_name))} · "
            f"{escape(type_label(number.type, number.number))} · "
            f"{platform_text(number.application_id, number.entity_id)} · "
            f"key `{escape(number.number_key or '')}`"
        ),
        _section(
            "It goes back to Infobip's pool, where anyone can buy it; its associations and inbound "
            f"routing go with it. Messages to it stop reaching the account.{monthly}\n"
            "*This cannot be undone.*"
        ),
    ]
    return modal(
        CANCEL_TITLE,
        blocks,
        callback_id=CANCEL_CONFIRM,
        submit="Cancel number",
        close="Keep it",
        private_metadata=metadata,
    )


# ---- channel notices -------------------------------------------------------------------------


def purchase_notice(user: str, offer: Offer, number: Number) -> tuple[str, list[dict]]:
    """(fallback text, blocks) for the channel: number, key, price, who bought it."""
    shown = escape(display_number(number.number or offer.number, number.type or offer.type))
    key = escape(number.number_key or offer.number_key)
    text = f"<@{user}> bought {shown} (key {key})."
    facts = [
        escape(country_name(number.country or offer.country, number.country_name)),
        escape(type_label(number.type or offer.type, number.number or offer.number)),
        escape(capabilities_text(number.capabilities or offer.capabilities)),
    ]
    blocks = [
        _section(f":telephone_receiver: <@{user}> bought *{shown}*\n" + " · ".join(facts)),
        _context(
            f"Key `{key}` · {price_text(number.price or offer.price)} · "
            f"{platform_text(number.application_id, number.entity_id)}"
        ),
    ]
    return text, blocks


def cancel_notice(user: str, number: Number) -> tuple[str, list[dict]]:
    shown = escape(display_number(number.number, number.type))
    key = escape(number.number_key or "")
    text = f"<@{user}> cancelled {shown} (key {key})."
    blocks = [
        _section(f":wastebasket: <@{user}> cancelled *{shown}*: it is back in Infobip's pool."),
        _context(
            f"Key `{key}` · was {platform_text(number.application_id, number.entity_id)} · {price_text(number.price)}"
        ),
    ]
    return text, blocks
