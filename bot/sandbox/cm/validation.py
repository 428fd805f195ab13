"""The create body's rules, as CM.com's doc page states them (plus the assumed range rule).

`check_create` returns the cleaned fields (wire names, every create field present, null when
absent) and the problems, each a sentence; the stand-in answers 400 with all of them.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from bot.providers.cm import wire
from bot.sandbox.cm.config import CmSandboxConfig

_LIMIT = (1, 1000)  # KNOWN bounds of quantity, whatever the account's restrictions say


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(body: dict, name: str, problems: list[str]) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(f"{name} must be a string.")
        return None
    return value.strip() or None


def country_of(config: CmSandboxConfig, area_code: str | None, city: str | None) -> str | None:
    """The country an area code or city belongs to, as far as the stock knows."""
    for entry in config.stock:
        if entry.matches_place(area_code, city):
            return entry.country
    return None


def check_create(body: dict, config: CmSandboxConfig) -> tuple[dict, list[str]]:
    problems: list[str] = []
    clean: dict[str, Any] = dict.fromkeys(wire.CREATE_FIELDS)

    guid = body.get(wire.COMPANY_PROFILE_GUID)
    try:
        clean[wire.COMPANY_PROFILE_GUID] = str(uuid.UUID(guid))
    except (TypeError, ValueError, AttributeError):
        problems.append(f"{wire.COMPANY_PROFILE_GUID} must be a UUID.")

    quantity = body.get(wire.QUANTITY)
    if not _is_int(quantity) or not _LIMIT[0] <= quantity <= _LIMIT[1]:
        problems.append(f"{wire.QUANTITY} must be a whole number from {_LIMIT[0]} to {_LIMIT[1]}.")
        quantity = None
    elif quantity > config.max_quantity:
        problems.append(f"{wire.QUANTITY} must not be above the account's maximum of {config.max_quantity}.")
    clean[wire.QUANTITY] = quantity

    range_size = body.get(wire.RANGE_SIZE)
    if range_size is not None:
        allowed = ", ".join(str(size) for size in config.range_sizes) or "none"
        if not _is_int(range_size) or range_size not in config.range_sizes:
            problems.append(f"{wire.RANGE_SIZE} must be one of the allowed range sizes ({allowed}).")
        elif quantity is not None and quantity % range_size:
            problems.append(f"{wire.QUANTITY} must be a multiple of {wire.RANGE_SIZE} ({range_size}).")
        else:
            clean[wire.RANGE_SIZE] = range_size

    number_type = body.get(wire.PHONE_NUMBER_TYPE)
    if number_type not in config.phone_number_types:
        problems.append(f"{wire.PHONE_NUMBER_TYPE} must be one of {', '.join(config.phone_number_types)}.")
    else:
        clean[wire.PHONE_NUMBER_TYPE] = number_type

    for name in (wire.AREA_CODE, wire.CITY, wire.REGION, wire.COMMENT, wire.CALLBACK_URL):
        clean[name] = _text(body, name, problems)
    area_code, city = clean[wire.AREA_CODE], clean[wire.CITY]
    if area_code is None and city is None:
        problems.append(f"{wire.AREA_CODE} or {wire.CITY} is required.")
    elif clean[wire.REGION] is None and country_of(config, area_code, city) in wire.NANPA_COUNTRIES:
        problems.append(f"{wire.REGION} is required for NANPA numbers.")

    url = clean[wire.CALLBACK_URL]
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(f"{wire.CALLBACK_URL} must be an absolute http(s) URL.")
    return clean, problems
