"""CM.com voice number requests from Slack: the order form, its checks, and the submission.

The form needs the country (for the cities and regions CM.com offers, and the NANPA rule), so
`/resource cm-number` without one asks for it first. The order is checked in the modal; the
request is created with a callback URL carrying an unguessable token tied to it, because the
create answer has no id and CM.com's callbacks are not signed.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import time
from functools import partial
from typing import Any

from pydantic import Field
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.approvals import CM_ORDER
from bot.domain.cm_orders import NO_RANGE, PHONE_NUMBER_TYPES, CmOrder, check_order, is_nanpa
from bot.domain.commands import CmNumber, CommandError, parse_country
from bot.providers.cm.client import CmError
from bot.providers.error_records import error_from_record
from bot.services import Services
from bot.slack.acks import errors_response
from bot.slack.approvals import asking
from bot.slack.blocks import context, input_block, option, static_select, text_input
from bot.slack.intent_views import answered_as_repeat, busy_view, submit_once
from bot.slack.invocation import Invocation
from bot.slack.messages import country_name
from bot.slack.middleware import form_values, view_metadata
from bot.slack.mrkdwn import escape
from bot.slack.permissions import Actor
from bot.slack.view_metadata import Origin, PrivateMetadataTooLarge, ViewMetadata
from bot.slack.views import loading_view, message_view, modal
from bot.store.intents import Intent, IntentState
from bot.usecases import order_cm_numbers
from bot.usecases.common import view_key
from bot.usecases.order_cm_numbers import ORDER_CM_NUMBERS
from bot.usecases.runner import Wanted

log = logging.getLogger("bot.slack.cm")

PROVIDER = "cm"
KIND = "CM_NUMBER_REQUEST"
COUNTRY_VIEW = "cm_country"
ORDER_VIEW = "cm_order"
TITLE = "CM.com numbers"
TYPE_LABELS = {"LOCAL": "Local (geographic)", "NATIONAL": "National", "TOLLFREE": "Toll-free"}
TYPED_PROFILE = "companyProfileTyped"
NOT_CONFIGURED = (
    "CM.com is not set up for this workspace. An admin can enable it by setting CM_BASE_URL, "
    "CM_PRODUCT_TOKEN and CM_ACCOUNT_ID (and CM_COMPANY_PROFILES for the profile list); "
    "see the README."
)


class OrderState(ViewMetadata):
    """What the order form remembers: the country, where it was asked for, and CM.com's limits the
    order is checked against before it is sent."""

    country: str = Field(alias="c")
    channel_id: str | None = Field(None, alias="ch")
    max_quantity: int = Field(1000, alias="max")
    range_sizes: tuple[int, ...] = Field((), alias="ranges")
    regions: tuple[str, ...] = Field((), alias="regions")


def _select(
    block_id: str, label: str, options: list[tuple[str, str]], *, optional: bool = False, initial: str | None = None
) -> dict[str, Any]:
    choices = [option(value, text) for value, text in options][:100]
    return input_block(block_id, label, static_select(choices, initial=initial), optional=optional)


def _text_input(
    block_id: str,
    label: str,
    *,
    optional: bool = True,
    hint: str | None = None,
    multiline: bool = False,
    max_length: int | None = None,
) -> dict[str, Any]:
    element = text_input(max_length=max_length, multiline=multiline)
    return input_block(block_id, label, element, optional=optional, hint=hint)


def country_view(channel_id: str | None) -> dict[str, Any]:
    blocks = [
        _text_input(
            "country",
            "Country of the numbers",
            optional=False,
            max_length=60,
            hint="Two-letter code or name, e.g. NL or United States.",
        )
    ]
    return modal(
        TITLE,
        blocks,
        callback_id=COUNTRY_VIEW,
        submit="Next",
        close="Cancel",
        private_metadata=Origin(channel_id=channel_id),
    )


def _profile_blocks(profiles: dict[str, str]) -> list[dict[str, Any]]:
    """The company profile: picked from CM_COMPANY_PROFILES when there are some, or typed."""
    typed = _text_input(
        TYPED_PROFILE,
        "Company profile id" if not profiles else "…or its id",
        optional=bool(profiles),
        max_length=36,
        hint="The UUID of the company profile that will operate the numbers.",
    )
    if not profiles:
        return [typed]
    picked = _select("companyProfileGuid", "Company profile", [(g, n) for n, g in profiles.items()], optional=True)
    return [picked, typed]


def _quantity_blocks(max_quantity: int, range_sizes: list[int]) -> list[dict[str, Any]]:
    """How many, and as ranges when CM.com offers range sizes."""
    count = {
        "type": "number_input",
        "action_id": "value",
        "is_decimal_allowed": False,
        "min_value": "1",
        "max_value": str(max_quantity),
        "initial_value": "1",
    }
    blocks = [input_block("quantity", "How many numbers", count)]
    if range_sizes:
        ranges = [(NO_RANGE, "No, single numbers")] + [(str(s), f"Ranges of {s}") for s in range_sizes]
        blocks.append(
            _select("rangeSize", "As a range of consecutive numbers?", ranges, optional=True, initial=NO_RANGE)
        )
    return blocks


def _place_blocks(country: str, cities: list[str], regions: list[str]) -> list[dict[str, Any]]:
    """Where the numbers are: area code, city, and the region in NANPA countries. A select holds
    100 options: beyond that, people type it."""
    hint = "An area code, a city, or both. Digits only, e.g. 20 or 212."
    blocks = [_text_input("areaCode", "Area code", max_length=6, hint=hint)]
    if 0 < len(cities) <= 100:
        blocks.append(_select("city", "City", [(c, c) for c in cities], optional=True))
    else:
        blocks.append(_text_input("city", "City", max_length=100))
    if is_nanpa(country):
        label = "Region (state or province)"
        blocks.append(
            _select("region", label, [(r, r) for r in regions], optional=False)
            if 0 < len(regions) <= 100
            else _text_input("region", label, optional=False, max_length=50)
        )
    return blocks


def order_view(
    *,
    country: str,
    channel_id: str | None,
    profiles: dict[str, str],
    max_quantity: int,
    range_sizes: list[int],
    cities: list[str],
    regions: list[str],
    approval: bool = False,
) -> dict[str, Any]:
    """The order form for one country, with CM.com's own choices where it gave them; with
    `approval` (orders need one), a reason for the approver and a note that says so."""
    intro = (
        f"Voice numbers in *{escape(country_name(country))}* from CM.com. In-stock numbers are assigned at "
        "once; otherwise CM.com support reviews the order and accepts or rejects it with a reason."
    )
    number_type = _select(
        "phoneNumberType", "Number type", [(t, TYPE_LABELS[t]) for t in PHONE_NUMBER_TYPES], initial="LOCAL"
    )
    comment = _text_input(
        "comment",
        "Comment for CM.com",
        multiline=True,
        max_length=500,
        hint="E.g. a distribution group or an IP address.",
    )
    blocks = [
        context(intro),
        *_profile_blocks(profiles),
        *_quantity_blocks(max_quantity, range_sizes),
        number_type,
        *_place_blocks(country, cities, regions),
        comment,
        *(asking.form_blocks("CM.com") if approval else []),
    ]
    state = OrderState(
        country=country, channel_id=channel_id, max_quantity=max_quantity, range_sizes=range_sizes, regions=regions
    )
    try:
        metadata = state.dump()
    except PrivateMetadataTooLarge:  # too many regions to carry: CM.com checks them itself
        metadata = state.model_copy(update={"regions": ()}).dump()
    submit = "Ask for approval" if approval else "Order"
    return modal(TITLE, blocks, callback_id=ORDER_VIEW, submit=submit, close="Cancel", private_metadata=metadata)


async def _show_order_form(services: Services, invocation: Invocation, country: str) -> None:
    try:
        restrictions = await services.cm.order_restrictions()
        locale = await services.cm.locale_options(country)
    except CmError as error:
        await invocation.show(
            message_view(TITLE, f":warning: {escape(str(error))}", ["Nothing was ordered. Try again in a minute."])
        )
        return
    await invocation.show(
        order_view(
            country=country,
            channel_id=invocation.channel_id,
            profiles=services.settings.cm_company_profiles,
            max_quantity=restrictions.max_quantity,
            range_sizes=restrictions.range_sizes,
            cities=locale.cities,
            regions=locale.regions,
            approval=asking.needed(services, CM_ORDER),
        )
    )


async def open_cm_order(invocation: Invocation, command: CmNumber) -> None:
    if invocation.services.cm is None:  # e.g. a launcher opened before CM.com was switched off
        await invocation.show(message_view(TITLE, NOT_CONFIGURED))
        return
    if command.country is None:
        if invocation.view_id:  # from the launcher, whose modal already shows "Loading…"
            await invocation.show(country_view(invocation.channel_id))
        else:
            await invocation.client.views_open(
                trigger_id=invocation.trigger_id, view=country_view(invocation.channel_id)
            )
        return
    await invocation.loading(TITLE, "Loading CM.com's order options…")
    await _show_order_form(invocation.services, invocation, command.country)


async def country_chosen(services: Services, ack, body, client, actor: Actor, values: dict, metadata: Origin) -> None:
    if services.cm is None:
        await ack(response_action="update", view=message_view(TITLE, NOT_CONFIGURED))
        return
    try:
        country = parse_country(str(values.get("country") or ""))
    except CommandError as error:
        await ack(errors_response({"country": str(error)}))
        return
    await ack(response_action="update", view=loading_view(TITLE, "Loading CM.com's order options…"))
    invocation = Invocation(
        services, client, actor.id, metadata.channel_id, view_id=body["view"]["id"], acked_at=time.monotonic()
    )
    await _show_order_form(services, invocation, country)


async def order_submitted(
    services: Services, ack, body, client, actor: Actor, values: dict, metadata: OrderState
) -> None:
    if services.cm is None:
        await ack(response_action="update", view=message_view(TITLE, NOT_CONFIGURED))
        return
    view = body["view"]
    user = actor.id
    if await answered_as_repeat(
        services, client, ack, view, render=order_view_for, working=loading_view(TITLE, "Sending the order to CM.com…")
    ):
        return
    values = {**values, "companyProfileGuid": values.get(TYPED_PROFILE) or values.get("companyProfileGuid")}
    checked = check_order(
        values,
        country=metadata.country,
        max_quantity=metadata.max_quantity,
        range_sizes=metadata.range_sizes,
        regions=metadata.regions,
    )
    if isinstance(checked, dict):
        if "companyProfileGuid" in checked:  # shown under the field people type into
            checked[TYPED_PROFILE] = checked.pop("companyProfileGuid")
        await ack(errors_response(checked))
        return
    profiles = services.settings.cm_company_profiles
    record = dict(
        provider=PROVIDER,
        kind=KIND,
        country=checked.country,
        quantity=checked.quantity,
        number_type=checked.phone_number_type,
        requester=user,
        channel=services.settings.resourcebot_channel or metadata.channel_id,
        submitted={"fields": _submitted_fields(checked, profiles)},
    )
    wanted = order_cm_numbers.wanted(
        key=view_key(view),
        actor=user,
        callback_token=secrets.token_urlsafe(32),
        view_id=view["id"],
        body={k: v for k, v in dataclasses.asdict(checked).items() if k != "country"},
        record=record,
    )
    if asking.needed(services, CM_ORDER):
        await _ask_approval(services, client, ack, view["id"], wanted, checked, asking.reason(values))
        return
    await submit_once(
        services,
        client,
        ack,
        view,
        use_case=ORDER_CM_NUMBERS,
        wanted=wanted,
        working=loading_view(TITLE, "Sending the order to CM.com…"),
        render=order_view_for,
        busy=lambda other: busy_view(TITLE, other, "ordering"),
    )


async def _ask_approval(
    services: Services, client: AsyncWebClient, ack, view_id: str, wanted: Wanted, checked: CmOrder, reason: str | None
) -> None:
    """An order that needs a decision: stored as waiting with its thread (once), nothing sent to CM.com."""
    record = wanted.params["record"]
    summary = {
        "what": f"{checked.quantity} × {TYPE_LABELS.get(checked.phone_number_type, checked.phone_number_type)}",
        "country": country_name(checked.country),
        "where": record.get("channel"),
        "reason": reason,
        "quantity": checked.quantity,
        "type": TYPE_LABELS.get(checked.phone_number_type, checked.phone_number_type),
    }
    request = {**record, "callback_token": wanted.params["callbackToken"]}
    await asking.ask(services, client, ack, view_id, TITLE, ORDER_CM_NUMBERS, wanted, CM_ORDER, summary, request)


def order_view_for(intent: Intent) -> dict[str, Any]:
    """The order form's modal as its intent's outcome says."""
    if intent.state == IntentState.INTENDED:
        return loading_view(TITLE, "Sending the order to CM.com…")
    if intent.state == IntentState.DONE:
        return message_view(
            TITLE,
            f":white_check_mark: Ordered. Request `{intent.request_id}`.",
            ["Follow it in its thread: CM.com's answer is posted there."],
        )
    if intent.state == IntentState.UNKNOWN:
        return message_view(
            TITLE,
            ":warning: CM.com did not confirm in time whether it took this order.",
            [f"Please don't order again yet: request `{intent.request_id}`'s thread will show what CM.com says."],
        )
    if intent.outcome.get("not_sent"):
        return message_view(TITLE, ":warning: Nothing was ordered.", ["The bot stopped before it sent the order."])
    error = error_from_record(intent.outcome.get("error") or {})
    return message_view(TITLE, f":warning: {escape(str(error))}", ["Nothing was ordered."])


def _submitted_fields(order: CmOrder, profiles: dict[str, str]) -> list[list[str]]:
    """What the thread shows as submitted: label and value, in the form's order."""
    profile_names = {guid: name for name, guid in profiles.items()}
    fields = [
        ("Company profile", profile_names.get(order.company_profile_guid, order.company_profile_guid)),
        ("Quantity", str(order.quantity)),
        ("Range size", str(order.range_size) if order.range_size else None),
        ("Type", TYPE_LABELS.get(order.phone_number_type, order.phone_number_type)),
        ("Area code", order.area_code),
        ("City", order.city),
        ("Region", order.region),
        ("Comment", order.comment),
    ]
    return [[label, value] for label, value in fields if value]


def register(app: AsyncApp, services: Services) -> None:
    app.view(COUNTRY_VIEW, middleware=[view_metadata(Origin), form_values])(partial(country_chosen, services))
    app.view(ORDER_VIEW, middleware=[view_metadata(OrderState), form_values])(partial(order_submitted, services))
