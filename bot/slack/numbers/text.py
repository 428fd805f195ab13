"""How numbers read in Slack: rows, prices and charges in mrkdwn, every provider text escaped."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.domain.number_shapes import NumberLike, Price
from bot.domain.numbers import (
    capabilities_text,
    country_name,
    display_number,
    due_at_purchase,
    money,
    shared_text,
    type_label,
)
from bot.domain.requirements import Requirement
from bot.slack.mrkdwn import escape
from bot.slack.numbers.metadata import SearchState


def facts_text(
    country: str, number_type: str | None, number: str | None, capabilities: Iterable[Any] | None, shared: bool | None
) -> str:
    """ "United Kingdom · Virtual long number · SMS, VOICE · dedicated" (mrkdwn-safe)."""
    facts = [escape(country), escape(type_label(number_type, number)), escape(capabilities_text(capabilities))]
    if shared_label := shared_text(shared):
        facts.append(shared_label)
    return " · ".join(facts)


def monthly_charge(price: Price | None) -> str | None:
    """ "5.00 EUR" (mrkdwn-safe), or None when Infobip gave no monthly price."""
    if price is None or price.price_per_month is None:
        return None
    return money(price.price_per_month, escape(price.currency or ""))


def price_text(price: Price | None) -> str:
    """ "5.00 EUR/month · setup 10.00 EUR · first month 3.225806 EUR" (mrkdwn-safe)."""
    if price is None or price.price_per_month is None:
        return "price not given"
    currency = escape(price.currency or "")
    parts = [f"{money(price.price_per_month, currency)}/month"]
    if price.setup_price is not None:
        parts.append(f"setup {money(price.setup_price, currency)}")
    if price.initial_month_price is not None:
        parts.append(f"first month {money(price.initial_month_price, currency)}")
    return " · ".join(parts)


def charge_lines(price: Price | None) -> list[str]:
    """The confirmation's charge, line by line (mrkdwn-safe)."""
    if price is None or price.price_per_month is None:
        return ["Infobip gave no price for this number: the charge is whatever your Infobip contract says."]
    currency = escape(price.currency or "")
    lines = []
    if price.setup_price is not None:
        lines.append(f"• Setup fee: *{money(price.setup_price, currency)}* (once)")
    if price.initial_month_price is not None:
        lines.append(f"• First month: *{money(price.initial_month_price, currency)}* (the rest of this month)")
    lines.append(f"• Then *{money(price.price_per_month, currency)}* every month until the number is cancelled")
    due = due_at_purchase(price)
    if due is not None:
        lines.append(f"*Charged now: {money(due, currency)}*")
    return lines


def requirement_names(requirements: Sequence[Requirement], limit: int = 10) -> str:
    names = [escape(r.name or r.key) for r in requirements]
    text = ", ".join(names[:limit])
    if len(names) > limit:
        text += f" and {len(names) - limit} more"
    return text


# ---- rows ------------------------------------------------------------------------------------


def offer_row(number: NumberLike) -> str:
    """One number on offer (mrkdwn-safe)."""
    head = [
        f"*{escape(display_number(number.number, number.type))}*",
        escape(type_label(number.type, number.number)),
        escape(capabilities_text(number.capabilities)),
    ]
    if shared := shared_text(number.shared):
        head.append(shared)
    return " · ".join(head) + "\n" + price_text(number.price)


def platform_text(application_id: str | None, entity_id: str | None) -> str:
    application = f"`{escape(application_id)}`" if application_id else "none"
    entity = f"`{escape(entity_id)}`" if entity_id else "none"
    return f"application {application} · entity {entity}"


def owned_row(number: NumberLike) -> str:
    """One owned number (mrkdwn-safe): where it is, what it does, where its traffic goes, its price."""
    first = [
        f"*{escape(display_number(number.number, number.type))}*",
        escape(country_name(number.country, number.country_name)),
        escape(type_label(number.type, number.number)),
    ]
    second = [escape(capabilities_text(number.capabilities))]
    if number.network:
        second.append(f"network {escape(number.network)}")
    if number.keywords:
        second.append(
            "keywords "
            + ", ".join(escape(k) for k in number.keywords[:10])
            + (" …" if len(number.keywords) > 10 else "")
        )
    monthly = monthly_charge(number.price)
    third = [
        platform_text(number.application_id, number.entity_id),
        f"{monthly}/month" if monthly else "monthly price not given",
    ]
    return "\n".join([" · ".join(first), " · ".join(second), " · ".join(third)])


def no_match_text(state: SearchState) -> str:
    where = escape(country_name(state.country))
    filters = state.filters_text()
    text = f"No numbers match in {where}" + (f" ({filters})" if filters else "") + "."
    if filters:
        text += " Try fewer capabilities, other digits or no location filter."
    else:
        text += " Infobip has none on offer there right now; `/resource number` requests some through Infobip's review."
    return text
