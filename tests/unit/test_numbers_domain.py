"""Numbers as people read them: prices, rows, paging, filters → query, and the purchase rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain.commands import MyNumbers, NumbersSearch
from bot.domain.number_shapes import Price
from bot.domain.numbers import (
    Offer,
    PageWindow,
    blocking_requirements,
    display_number,
    due_at_purchase,
    format_amount,
    international,
    last_page,
    request_capabilities,
    request_number_type,
    search_problem,
    type_label,
)
from bot.providers.infobip.models import AvailableNumbersQuery, Number, NumberPrice, OwnedNumbersQuery, Requirement
from bot.slack.mrkdwn import PRIVATE_METADATA_MAX
from bot.slack.numbers.metadata import BuyContext, OwnedContext, OwnedState, SearchState
from bot.slack.numbers.text import charge_lines, no_match_text, offer_row, owned_row, price_text, requirement_names

PRICE = NumberPrice(price_per_month=10.0, setup_price=20.0, initial_month_price=2.666667, currency="EUR")


@pytest.mark.parametrize(
    "value,text",
    [
        (5, "5.00"),
        (5.0, "5.00"),
        (0.0, "0.00"),
        (1.5, "1.50"),
        (2.666667, "2.666667"),
        (1000.1, "1000.10"),
        (Decimal("0.005"), "0.005"),
        (None, "?"),
        ("abc", "?"),
        (float("nan"), "?"),
    ],
)
def test_amounts_keep_every_decimal_infobip_gave(value, text):
    assert format_amount(value) == text


def test_price_text_and_the_charge_at_purchase():
    assert price_text(PRICE) == "10.00 EUR/month · setup 20.00 EUR · first month 2.666667 EUR"
    assert price_text(None) == "price not given"
    assert price_text(NumberPrice(price_per_month=1.5, currency="<b>")) == "1.50 &lt;b&gt;/month"
    assert due_at_purchase(PRICE) == Decimal("22.666667")
    # No prorated first month given: the first full month is what is charged.
    assert due_at_purchase(NumberPrice(price_per_month=5.0, currency="EUR")) == Decimal("5.0")
    lines = charge_lines(PRICE)
    assert "• Setup fee: *20.00 EUR* (once)" in lines
    assert "• First month: *2.666667 EUR* (the rest of this month)" in lines
    assert lines[-1] == "*Charged now: 22.666667 EUR*"
    assert "no price" in charge_lines(None)[0]


@pytest.mark.parametrize(
    "number,kind,shown,e164",
    [
        ("447700900123", "VIRTUAL_LONG_NUMBER", "+44 7700 900123", "+447700900123"),
        ("13173650295", "VIRTUAL_LONG_NUMBER", "+1 317-365-0295", "+13173650295"),
        ("385911100624", None, "+385 91 110 0624", "+385911100624"),
        ("60123", "SHORT_CODE", "60123", "60123"),  # not Malaysia +60 123
        ("60123", None, "60123", "60123"),
        ("12", None, "12", "12"),
    ],
)
def test_numbers_are_formatted_with_phonenumbers_but_short_codes_are_left_alone(number, kind, shown, e164):
    assert display_number(number, kind) == shown
    assert international(number, kind) == e164


def test_type_labels_say_toll_free_where_the_number_is():
    assert type_label("VIRTUAL_LONG_NUMBER", "18005550123") == "Virtual long number (toll-free)"
    assert type_label("VIRTUAL_LONG_NUMBER", "447700900123") == "Virtual long number"
    assert type_label("SHORT_CODE") == "Short code"
    assert type_label("SOMETHING_NEW") == "Something new"


@pytest.mark.parametrize(
    "page,total,first,last,prev,nxt,text",
    [
        (0, 0, 0, 0, False, False, "No numbers."),
        (0, 1, 1, 1, False, False, "1 number."),
        (0, 10, 1, 10, False, False, "10 numbers."),
        (0, 14, 1, 10, False, True, "Numbers 1–10 of 14 (page 1 of 2)."),
        (1, 14, 11, 14, True, False, "Numbers 11–14 of 14 (page 2 of 2)."),
        (1, 30, 11, 20, True, True, "Numbers 11–20 of 30 (page 2 of 3)."),
    ],
)
def test_page_window(page, total, first, last, prev, nxt, text):
    window = PageWindow(page, 10, total)
    assert (window.first, window.last, window.has_previous, window.has_next, window.text()) == (
        first,
        last,
        prev,
        nxt,
        text,
    )


@pytest.mark.parametrize("total,page", [(0, 0), (1, 0), (10, 0), (11, 1), (20, 1), (21, 2)])
def test_last_page(total, page):
    assert last_page(total, 10) == page


def test_search_filters_become_the_query_and_survive_private_metadata():
    state = SearchState.from_command(NumbersSearch("US", ("SMS", "VOICE"), "317", "IN", "317", "909"), "C1")
    assert state.query(10) == AvailableNumbersQuery(
        country="US", capabilities=["SMS", "VOICE"], number="317", state="IN", npa=317, nxx=909, page=0, limit=10
    )
    assert state.filters_text() == "SMS, VOICE · containing 317 · state IN · area code 317 · exchange 909"
    again = SearchState.load(state.at_page(2).dump())
    assert again.page == 2 and again.channel_id == "C1" and again.capabilities == ("SMS", "VOICE")
    plain = SearchState(country="GB")
    assert plain.query().capabilities is None and plain.query().npa is None and plain.dump() == '{"c":"GB"}'
    assert plain.at_page(-3).page == 0
    assert OwnedState.load(OwnedState(digits="385").at_page(1).dump()).query(5) == OwnedNumbersQuery(
        number="385", page=1, limit=5
    )
    assert OwnedState.load(None) == OwnedState()


@pytest.mark.parametrize(
    "command,fragment",
    [
        (NumbersSearch("US", (), "²²²"), "digits fragment “²²²”"),  # isdigit() but not int()-able
        (NumbersSearch("GB", (), "٣١٧"), "digits fragment"),  # another script's digits
        (NumbersSearch("GB", (), "1" * 16), "1 to 15 digits"),  # would not fit private_metadata
        (NumbersSearch("US", (), None, None, "²²²"), "area code (npa=)"),
        (NumbersSearch("US", (), None, None, None, "12"), "exchange code (nxx=)"),
        (MyNumbers("9" * 4000), "1 to 15 digits"),
    ],
)
def test_digits_people_type_are_checked_before_any_state_is_built(command, fragment):
    problem = search_problem(command)
    assert problem and fragment in problem and len(problem) < 200


def test_the_states_never_hold_digits_infobip_cannot_take():
    for bad in ("²²²", "1" * 16):
        with pytest.raises(ValueError, match="digits fragment"):
            SearchState(country="US", digits=bad)
        with pytest.raises(ValueError, match="digits fragment"):
            OwnedState(digits=bad)
    with pytest.raises(ValueError, match="npa"):
        SearchState(country="US", npa="²²²")


def test_fifteen_ascii_digits_are_fine():
    command = NumbersSearch("US", (), "1" * 15, None, "317", "909")
    assert search_problem(command) is None and search_problem(MyNumbers("385")) is None
    assert search_problem(MyNumbers()) is None
    assert len(SearchState.from_command(command, "C" * 20).dump()) < PRIVATE_METADATA_MAX


def test_no_match_text_suggests_what_to_change():
    assert no_match_text(SearchState(country="SE", capabilities=("MMS",))).startswith(
        "No numbers match in Sweden (MMS). Try fewer"
    )
    assert "none on offer" in no_match_text(SearchState(country="SE"))


def _number(**fields) -> Number:
    base = {
        "numberKey": "K1",
        "number": "447700900123",
        "country": "GB",
        "countryName": "United Kingdom",
        "type": "VIRTUAL_LONG_NUMBER",
        "capabilities": ["SMS", "VOICE"],
        "shared": False,
        "price": PRICE.to_wire(),
    }
    return Number.model_validate({**base, **fields})


def test_an_offer_is_carried_by_its_buy_button_and_bought_by_key_or_by_number():
    offer = Offer.from_number(_number(), "GB")
    assert offer is not None and offer.purchase_fields() == {"number_key": "K1"}
    assert offer.price == Price(**PRICE.model_dump()) and offer.display == "+44 7700 900123"
    assert Offer.load(offer.dump()) == offer
    us = Offer.from_number(_number(number="13173650295", country="US"), "US")
    assert us.purchase_fields() == {"number": "13173650295"}
    assert Offer.from_number(_number(numberKey=None), "GB") is None
    context = BuyContext(offer=offer, search=SearchState(country="GB", channel_id="C1"))
    assert len(context.dump()) < PRIVATE_METADATA_MAX and BuyContext.load(context.dump()) == context


def test_owned_context_remembers_the_before_state():
    context = OwnedContext.from_number(_number(applicationId="app", entityId="ent"), "K1", OwnedState(page=1))
    loaded = OwnedContext.load(context.dump())
    assert loaded.platform() == {"applicationId": "app", "entityId": "ent"}
    assert loaded.target == "+447700900123" and loaded.owned.page == 1 and loaded.per_month == 10.0
    assert OwnedContext(number_key="K9").target == "K9"


@pytest.mark.parametrize(
    "kind,number,country,expected",
    [
        ("VIRTUAL_LONG_NUMBER", "447700900123", "GB", "VIRTUAL_LONG_NUMBER"),
        ("VIRTUAL_LONG_NUMBER", "13173650295", "US", "TEN_DIGIT_LONG_CODE"),
        ("VIRTUAL_LONG_NUMBER", "18005550123", "US", "TOLL_FREE_NUMBER"),
        ("VIRTUAL_LONG_NUMBER", "448001234567", "GB", "TOLL_FREE_NUMBER"),
        ("SHORT_CODE", "60123", "GB", "SHORT_CODE"),
        (None, "60123", "US", "SHORT_CODE"),
        ("TOLL_FREE_NUMBER", "18005550123", "US", "TOLL_FREE_NUMBER"),
    ],
)
def test_the_request_type_to_look_requirements_up_for(kind, number, country, expected):
    assert request_number_type(kind, number, country) == expected


def test_request_capabilities_and_which_requirements_block_a_direct_purchase():
    assert request_capabilities(["VOICE", "SMS", "WHATSAPP"]) == ["SMS", "VOICE"]
    assert request_capabilities(["WHATSAPP"]) == ["SMS"]
    required = Requirement(key="proof", type="DOCUMENT", name="Proof of Address", required=True)
    optional = Requirement(key="state", type="TEXT", name="State", required=False)
    assert blocking_requirements([optional]) == []
    assert blocking_requirements([optional, required]) == [required]
    names = [Requirement(key=f"k{i}", type="TEXT", name=f"<N{i}>", required=True) for i in range(12)]
    assert requirement_names(names, limit=2) == "&lt;N0&gt;, &lt;N1&gt; and 10 more"


def test_rows_escape_provider_text():
    row = offer_row(_number(capabilities=["SMS", "<!channel>"], shared=True))
    assert "*+44 7700 900123* · Virtual long number · SMS, &lt;!channel&gt; · shared" in row
    assert row.endswith("10.00 EUR/month · setup 20.00 EUR · first month 2.666667 EUR")
    owned = owned_row(_number(network="<@U1>", keywords=["STOP", "A&B"], applicationId="app<", entityId=None))
    assert "United Kingdom" in owned and "network &lt;@U1&gt;" in owned and "keywords STOP, A&amp;B" in owned
    assert "application `app&lt;` · entity none · 10.00 EUR/month" in owned
    assert "monthly price not given" in owned_row(_number(price=None))
