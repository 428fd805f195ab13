"""The spend report's rules: sums per currency (never across), two decimals, breakdowns, this
month's purchases and cancellations from the bot's records, pending costs, and which numbers are
unused. Pure: Infobip's number models in, a summary out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.domain.number_shapes import Price
from bot.domain.numbers import charged_at_purchase
from bot.domain.spend import (
    Amounts,
    Bought,
    ChangeKind,
    NumberChange,
    PendingCost,
    bought_dates,
    change_from_audit,
    in_use_reasons,
    inbound_channels,
    is_unused,
    may_be_unused,
    month_start,
    summarize_spend,
    two_decimals,
)
from bot.providers.infobip.models import Number

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


def number(key: str, per_month: float | None = 5.0, currency: str | None = "EUR", **fields) -> Number:
    body = {
        "numberKey": key,
        "number": fields.pop("digits", "447700900123"),
        "country": fields.pop("country", "GB"),
        "countryName": fields.pop("countryName", None),
        "type": fields.pop("type", "VIRTUAL_LONG_NUMBER"),
        "capabilities": fields.pop("capabilities", ["SMS"]),
        "applicationId": fields.pop("applicationId", "default"),
        **fields,
    }
    if per_month is not None or currency is not None:
        body["price"] = {"pricePerMonth": per_month, "setupPrice": 0, "currency": currency}
    return Number.model_validate({k: v for k, v in body.items() if v is not None})


def change(kind: ChangeKind, key: str, at: datetime, monthly: str | None, charged: str | None = None, currency="EUR"):
    return NumberChange(
        kind=kind,
        at=at,
        actor="U0ADMIN001",
        number="+447700900123",
        number_key=key,
        monthly=Decimal(monthly) if monthly else None,
        charged=Decimal(charged) if charged else None,
        currency=currency,
    )


def summary(numbers, *, associated=(), configured=(), changes=(), pending=(), procured=()):
    return summarize_spend(
        numbers,
        associated=set(associated),
        configured=set(configured),
        changes=list(changes),
        pending=list(pending),
        now=NOW,
        procured=list(procured),
    )


# ---- money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount,text",
    [("5", "5.00"), ("1.5", "1.50"), ("3.225806", "3.23"), ("0.005", "0.01"), ("0.004", "0.00"), ("1000", "1000.00")],
)
def test_amounts_are_shown_with_two_decimals_rounded_half_up(amount, text):
    assert two_decimals(Decimal(amount)) == text


def test_amounts_are_summed_per_currency_and_never_across():
    amounts = Amounts.of(
        [("EUR", Decimal("5")), ("USD", Decimal("1.5")), ("EUR", Decimal("0.1")), ("USD", None), (None, Decimal("2"))]
    )
    assert amounts.sums == (("", Decimal("2")), ("EUR", Decimal("5.1")), ("USD", Decimal("1.5")))
    assert amounts.text() == "2.00 · 5.10 EUR · 1.50 USD"
    assert amounts.get("EUR") == Decimal("5.1") and amounts.get("GBP") == Decimal(0)
    assert not Amounts.of([]) and Amounts.of([]).text() == "0.00" and Amounts.of([]).text(empty="—") == "—"


def test_amounts_are_plain_text_as_the_provider_gave_the_currency():
    # The domain writes no mrkdwn: the Slack layer escapes it (tests/unit/test_spend_views.py).
    assert Amounts.of([("<!here>", Decimal("1"))]).text() == "1.00 <!here>"


def test_floats_from_infobip_add_up_exactly():
    numbers = [number(f"K{i}", per_month=0.1) for i in range(3)]
    assert summary(numbers).monthly.sums == (("EUR", Decimal("0.3")),)  # not 0.30000000000000004


# ---- totals and breakdowns ---------------------------------------------------------------------


def test_totals_and_breakdowns_group_by_country_type_and_application_per_currency():
    numbers = [
        number("GB1", 5.0, country="GB", countryName="United Kingdom"),
        number("GB2", 15.0, digits="448001234567", country="GB", countryName="United Kingdom"),
        number("US1", 1.5, "USD", digits="13175550100", country="US", applicationId="marketing"),
        number("US2", 2.0, "USD", digits="13175550101", country="US", type="SHORT_CODE", applicationId="marketing"),
        number("SE1", None, None, digits="46761234567", country="SE"),
    ]
    report = summary(numbers)
    assert report.count == 5 and report.unpriced == 1
    assert report.monthly.sums == (("EUR", Decimal("20.0")), ("USD", Decimal("3.5")))
    by_country = {line.label: line for line in report.by_country}
    assert list(by_country) == ["Sweden", "United Kingdom", "United States"]  # alphabetical
    assert by_country["United Kingdom"].count == 2 and by_country["United Kingdom"].monthly.text() == "20.00 EUR"
    assert by_country["Sweden"].unpriced == 1 and not by_country["Sweden"].monthly
    by_type = {line.label: line.monthly.text() for line in report.by_type}
    assert by_type == {
        "Short code": "2.00 USD",
        "Virtual long number": "5.00 EUR · 1.50 USD",
        "Virtual long number (toll-free)": "15.00 EUR",
    }
    by_application = {line.label: (line.count, line.monthly.text()) for line in report.by_application}
    assert by_application == {"default": (3, "20.00 EUR"), "marketing": (2, "3.50 USD")}


def test_no_numbers_no_cost():
    report = summary([])
    assert report.count == 0 and not report.monthly and report.by_country == () and report.unused == ()


# ---- unused numbers ----------------------------------------------------------------------------


def test_unused_is_no_association_no_keyword_no_inbound_configuration_default_application_no_entity():
    numbers = {
        "idle": number("idle"),
        "no_app": number("no_app", applicationId=None),
        "associated": number("associated"),
        "keyword": number("keyword", keywords=["STOP"]),
        "configured": number("configured"),
        "elsewhere": number("elsewhere", applicationId="support"),
        "entity": number("entity", entityId="acme"),
    }
    no_key = number("", digits="447700900999")
    associated, configured = {"associated"}, {"configured"}
    assert [k for k, n in numbers.items() if may_be_unused(n, associated)] == ["idle", "no_app", "configured"]
    assert not may_be_unused(no_key, associated)
    assert [k for k, n in numbers.items() if is_unused(n, associated=associated, configured=configured)] == [
        "idle",
        "no_app",
    ]
    report = summary([*numbers.values(), no_key], associated=associated, configured=configured)
    assert {u.number_key for u in report.unused} == {"idle", "no_app"}
    assert in_use_reasons(numbers["idle"], associated=associated, configured=configured) == []
    assert in_use_reasons(numbers["keyword"], associated=associated, configured=configured) == ["it has keywords"]
    assert in_use_reasons(numbers["elsewhere"], associated=associated, configured=configured) == [
        'it is on application "support"'
    ]
    # Plain text, as Infobip gave it: the Slack layer escapes it where it is shown (slack/spend/load.py).
    assert in_use_reasons(number("x", applicationId="<!channel>"), associated=(), configured=()) == [
        'it is on application "<!channel>"'
    ]


def test_unused_numbers_come_dearest_first_with_their_cost_and_when_they_were_bought():
    numbers = [
        number("cheap", 1.0, digits="447700900001"),
        number("dear", 15.0, digits="447700900002"),
        number("unpriced", None, None, digits="447700900003"),
        number("usd", 9.0, "USD", digits="447700900004"),
    ]
    bought = datetime(2026, 3, 2, tzinfo=UTC)
    report = summary(numbers, changes=[change(ChangeKind.PURCHASE, "dear", bought, "15", "20")])
    assert [u.number_key for u in report.unused] == ["dear", "usd", "cheap", "unpriced"]
    dear = report.unused[0]
    assert dear.monthly == Decimal("15.0") and dear.currency == "EUR" and dear.shown == "+44 7700 900002"
    assert dear.bought == Bought(bought, "U0ADMIN001")
    assert report.unused[1].bought is None
    assert report.unused_monthly.text() == "16.00 EUR · 9.00 USD"


def test_inbound_configurations_are_read_for_the_channels_a_number_has():
    assert inbound_channels(number("a", capabilities=["SMS", "VOICE"])) == ["SMS"]
    assert inbound_channels(number("b", capabilities=["MMS", "SMS"])) == ["SMS", "MMS"]
    assert inbound_channels(number("c", capabilities=["VOICE"])) == []
    assert inbound_channels(number("d", capabilities=None)) == ["SMS", "MMS"]  # not said: both read


# ---- when a number was bought ------------------------------------------------------------------


def test_bought_is_the_latest_purchase_or_procurement_unless_the_bot_cancelled_it_since():
    early, later, last = (datetime(2026, 1, d, tzinfo=UTC) for d in (1, 2, 3))
    changes = [
        change(ChangeKind.PURCHASE, "A", early, "5"),
        change(ChangeKind.PURCHASE, "B", early, "5"),
        change(ChangeKind.CANCELLATION, "B", later, "5"),
        change(ChangeKind.PURCHASE, "C", early, "5"),
        change(ChangeKind.CANCELLATION, "C", later, "5"),
        change(ChangeKind.PURCHASE, "C", last, "5"),
    ]
    procured = [("A", Bought(later, "U0ALICE001", "R1234567")), ("D", Bought(early, "U0BOB00001", "R7654321"))]
    dates = bought_dates(changes, procured)
    assert dates == {
        "A": Bought(later, "U0ALICE001", "R1234567"),
        "C": Bought(last, "U0ADMIN001"),
        "D": Bought(early, "U0BOB00001", "R7654321"),
    }


# ---- this month ----------------------------------------------------------------------------------


def test_only_this_months_purchases_and_cancellations_are_reported_with_their_cost():
    last_month = datetime(2026, 6, 30, 23, 59, tzinfo=UTC)
    first = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)
    changes = [
        change(ChangeKind.PURCHASE, "old", last_month, "5", "5"),
        change(ChangeKind.PURCHASE, "A", first + timedelta(days=3), "5", "3.225806"),
        change(ChangeKind.PURCHASE, "B", first, "1.5", "1.5", currency="USD"),
        change(ChangeKind.PURCHASE, "C", first + timedelta(days=1), "15", "40"),
        change(ChangeKind.CANCELLATION, "C", first + timedelta(days=2), "15"),
    ]
    report = summary([], changes=changes)
    assert report.month == date(2026, 7, 1) and report.month_name == "July 2026"
    assert [c.number_key for c in report.purchases] == ["B", "C", "A"]  # oldest first
    assert report.charged_this_month.text() == "43.23 EUR · 1.50 USD"
    assert report.added_this_month.text() == "20.00 EUR · 1.50 USD"
    assert [c.number_key for c in report.cancellations] == ["C"]
    assert report.stopped_this_month.text() == "15.00 EUR"


def test_month_start_is_the_first_instant_of_the_month_in_utc():
    assert month_start(NOW) == datetime(2026, 7, 1, tzinfo=UTC)
    assert month_start(datetime(2026, 8, 1, 1, 0, tzinfo=UTC) - timedelta(hours=2)) == datetime(2026, 7, 1, tzinfo=UTC)
    assert month_start(datetime(2026, 7, 1, 0, 30)) == datetime(2026, 7, 1, tzinfo=UTC)  # naive: taken as UTC


def test_a_purchase_record_gives_what_it_charged_and_an_older_one_its_price():
    at = "2026-07-03T10:00:00.000+00:00"
    recorded = change_from_audit(
        ChangeKind.PURCHASE,
        at=at,
        actor="U0ADMIN001",
        target="+447700900123",
        details={
            "numberKey": "K1",
            "price": {"pricePerMonth": 5, "setupPrice": 10, "currency": "EUR"},
            "charged": {"amount": 13.870968, "currency": "EUR"},
        },
    )
    assert recorded is not None
    assert recorded.charged == Decimal("13.870968") and recorded.monthly == Decimal(5) and recorded.number_key == "K1"
    assert recorded.at == datetime(2026, 7, 3, 10, tzinfo=UTC) and recorded.shown == "+44 7700 900123"
    older = change_from_audit(
        ChangeKind.PURCHASE,
        at=at,
        actor="U1",
        target="+447700900123",
        details={"price": {"pricePerMonth": 5, "setupPrice": 10, "initialMonthPrice": 2.5, "currency": "EUR"}},
    )
    assert older is not None and older.charged == Decimal("12.5") and older.number_key is None
    cancelled = change_from_audit(
        ChangeKind.CANCELLATION, at=at, actor="U1", target="6FED0BC5", details={"numberKey": "6FED0BC5", "price": None}
    )
    assert cancelled is not None and cancelled.monthly is None and cancelled.charged is None
    assert cancelled.shown == "6FED0BC5"  # a key is not dressed up as a phone number
    assert change_from_audit(ChangeKind.PURCHASE, at="yesterday", actor="U1", target="+1", details={}) is None


def test_the_charge_of_a_purchase_is_the_setup_fee_plus_the_first_month_as_offered():
    offered = Price(price_per_month=5.0, setup_price=10.0, initial_month_price=2.580645, currency="EUR")
    bought = Price(price_per_month=5.0, setup_price=10.0, currency="EUR")  # Infobip's answer: no first month
    assert charged_at_purchase(offered, bought) == (Decimal("12.580645"), "EUR")
    assert charged_at_purchase(None, bought) == (Decimal("15.0"), "EUR")  # no offer: a whole first month
    assert charged_at_purchase(offered, None) == (Decimal("12.580645"), "EUR")
    assert charged_at_purchase(None, None) == (None, None)


# ---- pending approval --------------------------------------------------------------------------


def test_pending_costs_are_summed_per_currency_apart_from_the_owned_numbers():
    pending = [
        PendingCost("+44 7700 900123", Decimal("5"), Decimal("10"), "EUR"),
        PendingCost("2 numbers in US", Decimal("3"), None, "USD"),
        PendingCost("a short code", None, None, None),
    ]
    report = summary([number("K1")], pending=pending)
    assert report.pending == tuple(pending)
    assert report.pending_monthly.text() == "5.00 EUR · 3.00 USD" and report.pending_once.text() == "10.00 EUR"
    assert report.monthly.text() == "5.00 EUR"  # waiting is not owning
    assert summary([number("K1")]).pending == ()
