"""CM.com number requests: the form's rules, checked before anything is sent. Pure.

What CM.com says for sure: quantity 1..1000; a range size only when a range is wanted, from the
sizes the order restrictions allow; an area code or a city (one is required); a region only for
NANPA countries (+1), where it is required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import phonenumbers

PHONE_NUMBER_TYPES = ("LOCAL", "NATIONAL", "TOLLFREE")
QUANTITY_MAX = 1000
COMMENT_MAX = 500
NO_RANGE = "none"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_AREA_CODE = re.compile(r"^\+?[0-9]{1,6}$")


@dataclass(frozen=True)
class CmOrder:
    """A checked order, in the terms of CM.com's create body."""

    country: str
    company_profile_guid: str
    quantity: int
    phone_number_type: str
    range_size: int | None = None
    area_code: str | None = None
    city: str | None = None
    region: str | None = None
    comment: str | None = None


def is_nanpa(country: str) -> bool:
    """The North American Numbering Plan: every country whose calling code is +1."""
    return phonenumbers.country_code_for_region(country.upper()) == 1


def _text(values: dict[str, Any], key: str) -> str | None:
    return str(values.get(key) or "").strip() or None


def check_order(
    values: dict[str, Any],
    *,
    country: str,
    max_quantity: int = QUANTITY_MAX,
    range_sizes: tuple[int, ...] = (),
    regions: tuple[str, ...] = (),
) -> CmOrder | dict[str, str]:
    """The order, or `{block_id: message}` for each field to fix. `max_quantity` and
    `range_sizes` come from the order-restrictions lookup, `regions` from the locale options."""
    errors: dict[str, str] = {}
    profile = (_text(values, "companyProfileGuid") or "").lower()
    if not _UUID.match(profile):
        errors["companyProfileGuid"] = "Pick a company profile, or type its id (a UUID like 0b0c6b8e-5c5f-…)."
    limit = min(max_quantity, QUANTITY_MAX)
    quantity_text = _text(values, "quantity") or ""
    quantity = int(quantity_text) if quantity_text.isdigit() else 0
    if not 1 <= quantity <= limit:
        errors["quantity"] = f"Ask for 1 to {limit} numbers."
    number_type = _text(values, "phoneNumberType")
    if number_type not in PHONE_NUMBER_TYPES:
        errors["phoneNumberType"] = "Choose local, national or toll-free."
    range_text = _text(values, "rangeSize") or NO_RANGE
    range_size = None if range_text == NO_RANGE else int(range_text) if range_text.isdigit() else -1
    if range_size is not None:
        if range_size not in range_sizes:
            allowed = ", ".join(map(str, range_sizes)) or "none for this account"
            errors["rangeSize"] = f"Ranges come in these sizes: {allowed}."
        elif quantity and quantity % range_size:
            errors["quantity"] = f"With ranges of {range_size}, ask for a multiple of {range_size}."
    area_code, city = _text(values, "areaCode"), _text(values, "city")
    if not area_code and not city:
        errors["areaCode"] = "Give an area code, a city, or both."
    elif area_code and not _AREA_CODE.match(area_code):
        errors["areaCode"] = "An area code is digits only, e.g. 20 or 212."
    region = _text(values, "region")
    if is_nanpa(country) and not region:
        errors["region"] = "Numbers in North America need a region (state or province)."
    elif region and not is_nanpa(country):
        errors["region"] = "A region is only for North American (+1) numbers; leave it empty."
    elif region and regions and region not in regions:
        errors["region"] = f"Choose one of the regions CM.com offers: {', '.join(regions[:10])}."
    comment = _text(values, "comment")
    if comment and len(comment) > COMMENT_MAX:
        errors["comment"] = f"Keep the comment under {COMMENT_MAX} characters."
    if errors:
        return errors
    return CmOrder(
        country=country.upper(),
        company_profile_guid=profile,
        quantity=quantity,
        phone_number_type=number_type or "",
        range_size=range_size,
        area_code=(area_code or "").lstrip("+") or None,
        city=city,
        region=region,
        comment=comment,
    )
