"""What the account owns, for the provisioning modals to pick from or to show: numbers (from the
Numbers API; their numberKey is the resource id) and senders (from the owned-resources search)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.associations import OWNED_SEARCH_TYPE, RESOURCE_ID_MEANING, RESOURCE_TYPES, phone_digits
from bot.providers.infobip import iterate_numbers, iterate_pages
from bot.providers.infobip.errors import InfobipError
from bot.providers.infobip.models import Number, OwnedNumbersQuery, ResourcesFilter
from bot.services import Services
from bot.slack.blocks import fits_options
from bot.slack.provisioning.common import SLOW_TEXT, before_ack

log = logging.getLogger("bot.slack.provisioning")

_OPTIONS_MAX = 100


@dataclass(frozen=True)
class Owned:
    """Resources of one type to pick from; `note` (mrkdwn) explains an empty or cut list."""

    options: list[tuple[str, str]]  # (resource id, label); each id fits an option value
    note: str | None = None


def _number_label(number: Number) -> str:
    capabilities = ", ".join(str(c) for c in number.capabilities or [])
    return " · ".join(part for part in (f"+{number.number}", number.country, capabilities) if part)


async def owned_resources(services: Services, resource_type: str) -> Owned:
    """The account's resources of `resource_type`, up to the 100 a select can hold; none (a text
    input instead) when there are more, or when an id is too long to be an option's value."""
    infobip = services.infobip
    kind = RESOURCE_TYPES.get(resource_type, resource_type).lower()
    options: list[tuple[str, str]] = []
    try:
        if resource_type == "NUMBER":
            async for number in iterate_numbers(
                lambda page: infobip.list_owned_numbers(OwnedNumbersQuery(page=page, limit=100))
            ):
                if number.number_key:
                    options.append((number.number_key, _number_label(number)))
                if len(options) > _OPTIONS_MAX:
                    break
        elif resource_type in OWNED_SEARCH_TYPE:
            search = ResourcesFilter(resource_type=OWNED_SEARCH_TYPE[resource_type])
            async for resource in iterate_pages(lambda page: infobip.search_resources(search, page=page, size=100)):
                name = resource.sender_name or resource.resource or resource.display_name
                if name and all(value != name for value, _ in options):
                    options.append((name, " · ".join(p for p in (name, resource.country_code) if p)))
                if len(options) > _OPTIONS_MAX:
                    break
        else:
            return Owned([], note=f"Type the {kind}: {RESOURCE_ID_MEANING[resource_type]}.")
    except InfobipError as error:
        log.warning("listing owned %s failed: %s", resource_type, error)
        return Owned([], note=f"The account's {kind}s could not be listed just now; type it.")
    if len(options) > _OPTIONS_MAX:
        return Owned([], note=f"The account has more than {_OPTIONS_MAX} of these; type it.")
    if not fits_options([value for value, _ in options]):
        return Owned([], note=f"Some of the account's {kind}s have ids too long to pick from a list; type it.")
    if not options:
        if resource_type == "NUMBER":
            return Owned(
                [],
                note="The account owns no numbers yet: buy one with `/resource numbers &lt;country&gt;`, "
                "or type a numberKey.",
            )
        return Owned([], note=f"No {kind} found among the account's resources; type it.")
    return Owned(options)


async def number_digits_by_key(services: Services, keys: Iterable[str]) -> dict[str, str]:
    """numberKey → digits for these numbers (a page of associations: at most a few dozen), looked up
    one by one: that read is allowed 10 a second, listing every number only 1."""
    wanted = list(dict.fromkeys(keys))

    async def digits(key: str) -> str | None:
        try:
            return (await services.infobip.get_owned_number(key)).number
        except InfobipError as error:
            log.info("number %s not shown by its digits: %s", key, error)
            return None

    found = await asyncio.gather(*(digits(key) for key in wanted))
    return {key: number for key, number in zip(wanted, found, strict=True) if number}


async def number_key_for(services: Services, typed: str) -> str | None:
    """The numberKey of an owned number typed by its digits; None when the account has no such number."""
    digits = phone_digits(typed)
    result = await services.infobip.list_owned_numbers(OwnedNumbersQuery(number=digits, limit=100))
    return next((n.number_key for n in result.numbers if n.number == digits), None)


async def typed_number_key(services: Services, typed: str, block_id: str) -> tuple[str | None, dict[str, str]]:
    """`number_key_for`, looked up before a submission's ack: (the numberKey, {}), or (None, the error
    to show under `block_id`: Infobip too slow, the lookup failed, or the account has no such number)."""
    try:
        number_key = await before_ack(number_key_for(services, typed))
    except TimeoutError:
        return None, {block_id: SLOW_TEXT}
    except InfobipError as error:
        return None, {block_id: f"Could not look the number up: {error}"}
    if number_key is None:
        return None, {block_id: f"The account has no number +{phone_digits(typed)}."}
    return number_key, {}
