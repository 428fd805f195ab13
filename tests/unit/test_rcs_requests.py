"""RCS sender launch: the `rcs` verb, its form's fixed fields and their rules, and finding a launch
whose submit answer was lost. Pure logic only; the flow over HTTP is tests/e2e/test_rcs_requests.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.commands import USAGE, CommandError, RcsForm, parse_command
from bot.domain.forms import (
    RCS_SENDER_NAME_MAX,
    FixedField,
    RequestKind,
    Widget,
    collect_fields,
    fixed_fields_for,
)
from bot.domain.submissions import Attempt, fits
from bot.domain.validation import (
    ValidatedForm,
    check_excluded_carriers,
    combine_pages,
    page_from_json,
    page_to_json,
    validate_submission,
)
from bot.providers.infobip.models import ResourceRequest
from bot.slack.form_blocks import build_form, form_title
from bot.slack.form_context import FormContext

RCS = RequestKind.RCS_SENDER_LAUNCH
RCS_FIXED = fixed_fields_for(RCS)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("rcs HR", RcsForm("HR", "LOCAL")),
        ("rcs de international", RcsForm("DE", "INTERNATIONAL")),
        ("rcs Sweden Local", RcsForm("SE", "LOCAL")),
    ],
)
def test_rcs_verb_gives_the_country_and_an_origin_local_by_default(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("rcs", "Which country"),
        ("rcs XX", "don't know the country"),
        ("rcs HR PROMOTIONAL", "is not a traffic origin"),
        ("rcs HR LOCAL extra", "at most a traffic origin"),
    ],
)
def test_bad_rcs_input_says_what_to_type(text, fragment):
    with pytest.raises(CommandError, match=fragment):
        parse_command(text)


def test_usage_names_the_rcs_verb():
    assert "`/resource rcs <country> [LOCAL|INTERNATIONAL]`" in USAGE


def test_an_rcs_form_asks_a_sender_name_of_up_to_255_and_the_carriers_to_exclude():
    assert RCS_FIXED[:2] == (FixedField.SENDER_NAME, FixedField.EXCLUDED_CARRIERS)
    fields = {f.block_id: f for f in collect_fields([], {}, {}, kind=RCS, country="DE")}
    assert fields["senderName"].max_length == RCS_SENDER_NAME_MAX == 255 and fields["senderName"].min_length == 1
    assert not fields["senderName"].optional
    assert fields["excludedCarriers"].widget == Widget.LINES and fields["excludedCarriers"].optional
    # The alphanumeric form keeps its own rules and asks no carriers.
    alpha = {f.block_id: f for f in collect_fields([], {}, {}, kind="ALPHANUMERIC_REGISTRATION", country="HR")}
    assert alpha["senderName"].max_length == 11 and "excludedCarriers" not in alpha


def test_an_rcs_form_is_titled_and_rendered_with_its_fields():
    context = FormContext(kind=RCS, country="se", traffic_origin="LOCAL")
    assert form_title(context) == "Request RCS · SE"
    [page] = build_form(context, [])
    element = next(b for b in page.blocks if b.get("block_id") == "senderName")["element"]
    assert element["max_length"] == 255
    assert FixedField.EXCLUDED_CARRIERS in page.fixed_fields


def test_an_rcs_sender_name_may_be_long_and_of_any_script_an_alpha_one_may_not():
    name = "Ärztekammer Süd — Termine & Erinnerungen " + "x" * 150
    values = {"senderName": f"  {name}  "}
    form = validate_submission(values, [], fixed_fields=RCS_FIXED, kind=RCS)
    assert isinstance(form, ValidatedForm) and form.sender_name == name
    alpha = validate_submission(values, [], fixed_fields=fixed_fields_for("ALPHANUMERIC_REGISTRATION"))
    assert "senderName" in alpha


@pytest.mark.parametrize(
    "name,message",
    [("x" * 256, "1 to 255 characters"), ("", "This is required"), ("Tab\u0007Bell", "printable")],
)
def test_an_rcs_sender_name_breaking_the_contract_is_refused_under_its_field(name, message):
    errors = validate_submission({"senderName": name}, [], fixed_fields=RCS_FIXED, kind=RCS)
    assert isinstance(errors, dict) and message in errors["senderName"]


def test_excluded_carriers_are_one_per_line_each_once():
    assert check_excluded_carriers("Tele2\n telia ,Telenor Sweden\n\nTELE2;") == ["Tele2", "telia", "Telenor Sweden"]
    assert check_excluded_carriers("") == []


def test_excluded_carriers_survive_pages_and_reach_the_request_body_names():
    first = validate_submission(
        {"senderName": "Shop", "excludedCarriers": "Tele2\nTelia"}, [], fixed_fields=RCS_FIXED, kind=RCS
    )
    assert isinstance(first, ValidatedForm)
    combined = combine_pages([page_from_json(page_to_json(first)), ValidatedForm()])
    assert combined.excluded_carriers == ["Tele2", "Telia"]
    assert combined.fixed_values() == {"senderName": "Shop", "excludedCarriers": ["Tele2", "Telia"]}
    # A page stored before carriers existed still reads.
    older = {k: v for k, v in page_to_json(first).items() if k != "excluded_carriers"}
    assert page_from_json(older).excluded_carriers == []


T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def rcs_request(rid: str, sender: str, at: datetime = T0) -> ResourceRequest:
    return ResourceRequest.model_validate(
        {
            "id": rid,
            "type": "RCS_SENDER_LAUNCH",
            "countryCode": "SE",
            "senderName": sender,
            "trafficOrigin": "LOCAL",
            "requestedDate": at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        }
    )


def test_a_lost_rcs_submission_fits_by_its_sender_name():
    attempt = Attempt("R1", "RCS_SENDER_LAUNCH", "SE", "Shop Sverige", None, T0 - timedelta(seconds=5))
    assert fits(attempt, rcs_request("a", "Shop Sverige"))
    assert not fits(attempt, rcs_request("b", "Other shop"))
