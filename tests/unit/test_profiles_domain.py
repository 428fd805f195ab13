"""The pure rules of company profiles (bot/domain/profiles.py): which fields a profile fills,
which documents are still valid, what a prefilled value breaks, how many were filled, what a
submission saves, and the editor's `key: value` lines."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.profiles import (
    Profile,
    ProfileDocument,
    day_month,
    fill_form,
    fill_problems,
    fill_summary,
    from_submission,
    kept_typing,
    name_problem,
    parse_valid_until,
    values_from_lines,
    values_to_lines,
    with_document_changes,
)
from bot.domain.requirements import Requirement
from bot.domain.validation import Invalid

TODAY = date(2026, 12, 1)
FIXED = ["senderName", "additionalContactEmails", "applicationId", "entityId"]


def requirement(key: str, kind: str = "TEXT", **more) -> Requirement:
    return Requirement.model_validate({"key": key, "type": kind, "name": key, "required": True, **more})


RS = [
    requirement("companyName"),
    requirement("vatNumber", validation={"pattern": "^[0-9]{9}$"}),
    requirement("companyWebsite", "URL"),
    requirement("useCase", options=["OTP", "Notifications"]),
    requirement("companyRegistrationDocument", "DOCUMENT"),
]
EXTRACT = ProfileDocument("acme-extract.pdf", "DOC1", "2026-03-12T09:00:00+00:00", None)


def acme(**documents) -> Profile:
    return Profile(
        id="p1",
        name="Acme",
        values={
            "companyName": "Acme d.o.o.",
            "vatNumber": "HR12345678901",
            "companyWebsite": "https://acme.example",
            "contactPhoneNumber": "+385911234567",  # not in RS's form
            "additionalContactEmails": ["ops@acme.example"],
        },
        documents=documents or {"companyRegistrationDocument": [EXTRACT]},
    )


def test_a_profile_fills_the_fields_of_matching_keys_and_counts_them():
    fill = fill_form(acme(), RS, FIXED, TODAY)
    assert fill.values == {
        "companyName": "Acme d.o.o.",
        "vatNumber": "HR12345678901",
        "companyWebsite": "https://acme.example",
        "companyRegistrationDocument": "DOC1",
        "additionalContactEmails": ["ops@acme.example"],
    }
    assert "contactPhoneNumber" not in fill.values and "useCase" not in fill.values  # lacking: left empty
    assert "senderName" not in fill.values  # the request's own, not the company's
    assert (fill.filled, fill.fields) == (5, 8)  # 5 requirements + contact emails, application, entity
    assert fill.reused == {"companyRegistrationDocument": [EXTRACT]}


def test_a_document_is_reused_until_its_valid_until_day_included():
    last_day = ProfileDocument("x.pdf", "DOC2", "2026-01-01", valid_until="2026-12-01")
    assert last_day.is_valid_on(TODAY)
    assert not last_day.is_valid_on(date(2026, 12, 2))
    fill = fill_form(acme(companyRegistrationDocument=[last_day]), RS, FIXED, date(2026, 12, 2))
    assert "companyRegistrationDocument" not in fill.values
    assert fill.expired == {"companyRegistrationDocument": [last_day]}
    assert "An expired document was not reused" in fill_summary("Acme", fill, 0)


def test_one_document_field_gets_the_newest_valid_document_and_a_list_field_all_of_them():
    older = ProfileDocument("old.pdf", "OLD", "2025-01-01")
    expired = ProfileDocument("gone.pdf", "GONE", "2025-06-01", valid_until="2026-01-01")
    profile = acme(companyRegistrationDocument=[older, expired, EXTRACT])
    assert fill_form(profile, RS, FIXED, TODAY).values["companyRegistrationDocument"] == "DOC1"
    many = [*RS[:-1], requirement("companyRegistrationDocument", "DOCUMENT", multipleValuesSupported=True)]
    assert fill_form(profile, many, FIXED, TODAY).values["companyRegistrationDocument"] == ["OLD", "DOC1"]


def test_a_requirement_with_a_fixed_fields_key_is_filled_once():
    form = [*RS, requirement("additionalContactEmails", "EMAIL", multipleValuesSupported=True)]
    fill = fill_form(acme(), form, FIXED, TODAY)
    assert fill.fields == len(form) + 2  # application and entity; the emails are the requirement
    assert fill.values["additionalContactEmails"] == ["ops@acme.example"]


def test_prefilled_values_are_checked_against_this_countrys_rules():
    values = fill_form(acme(), RS, FIXED, TODAY).values
    problems = fill_problems(RS, {**values, "useCase": "Promotions"}, "RS")
    assert set(problems) == {"vatNumber", "useCase"}
    assert "9 digits" in problems["vatNumber"]
    assert fill_problems(RS, {**values, "vatNumber": "123456789"}, "RS") == {}
    assert fill_problems(RS, {"additionalContactEmails": "not-an-address"}, "RS") == {
        "additionalContactEmails": "“not-an-address”: Enter an email address like name@example.com"
    }


def test_the_summary_says_how_many_were_filled_and_what_is_left():
    fill = fill_form(acme(), RS, FIXED, TODAY)
    assert fill_summary("Acme", fill, 1) == (
        "Filled 5 of 8 fields from profile Acme. 1 value doesn't meet this country's rules: fix it below. "
        "What the profile lacks is left empty."
    )
    assert "2 values don't meet" in fill_summary("Acme", fill, 2)


def test_what_a_submission_sent_becomes_values_and_documents():
    values, documents = from_submission(
        [
            {"key": "companyName", "value": "Acme d.o.o."},
            {"key": "companyEmailAddresses", "value": ["a@acme.example", "b@acme.example"]},
            {"key": "companyRegistrationDocument", "value": "NEW1"},
            {"key": "registrationForm", "value": "DOC1"},  # reused from the profile: kept as it was
        ],
        {"senderName": "ACME", "additionalContactEmails": ["ops@acme.example"], "requirements": []},
        {"companyRegistrationDocument": ["acme-registration.pdf"]},
        document_keys={"companyRegistrationDocument", "registrationForm"},
        previous=acme(registrationForm=[EXTRACT]),
        uploaded_at="2026-12-01T10:00:00+00:00",
        valid_until="2027-12-01",
    )
    assert values == {
        "companyName": "Acme d.o.o.",
        "companyEmailAddresses": ["a@acme.example", "b@acme.example"],
        "additionalContactEmails": ["ops@acme.example"],
    }
    assert documents == {
        "companyRegistrationDocument": [
            ProfileDocument("acme-registration.pdf", "NEW1", "2026-12-01T10:00:00+00:00", "2027-12-01")
        ],
        "registrationForm": [EXTRACT],
    }


def test_the_editors_lines_read_back_as_the_values_they_show():
    values = {"companyName": "Acme: the company", "emails": ["a@x.example", "b@x.example"], "n": 5}
    lines = values_to_lines(values)
    assert lines == "companyName: Acme: the company\nemails: a@x.example\nemails: b@x.example\nn: 5"
    assert values_from_lines(lines) == {**values, "n": "5"}
    assert values_from_lines("emails: a@x.example", multiple={"emails"}) == {"emails": ["a@x.example"]}
    prose = {"useCaseDescription": "Line one\nC:\\path \\n literally"}
    assert "\n" not in values_to_lines(prose)  # one line per value
    assert values_from_lines(values_to_lines(prose)) == prose
    assert values_from_lines("\n  \nkey:   \n") == {}  # an empty value is no value
    with pytest.raises(Invalid, match="Line 2"):
        values_from_lines("companyName: Acme\nno colon here")


def test_document_changes_remove_and_date_documents_by_id():
    profile = acme(companyRegistrationDocument=[EXTRACT], registrationForm=[ProfileDocument("f.pdf", "F", "x")])
    changed = with_document_changes(profile.documents, removed={"F"}, valid_until={"DOC1": "2027-01-31"})
    assert list(changed) == ["companyRegistrationDocument"]
    assert changed["companyRegistrationDocument"][0].valid_until == "2027-01-31"


def test_names_and_dates():
    assert name_problem("") and name_problem("x" * 61) and name_problem("Ac\tme")
    assert name_problem(" Acme ") is None
    assert parse_valid_until("2027-03-12") == "2027-03-12"
    assert parse_valid_until("  ") is None
    with pytest.raises(Invalid):
        parse_valid_until("12/03/2027")
    assert day_month("2026-03-12T09:00:00+00:00", TODAY) == "12 Mar"
    assert day_month("2025-03-12", TODAY) == "12 Mar 2025"


def test_what_was_typed_before_picking_stays_where_the_profile_fills_nothing():
    typed = {
        "senderName": "ACME",  # typed
        "companyName": "Typed Ltd",  # the profile fills it: the profile's wins
        "useCase": "OTP",  # what the previous profile had filled: not typed
        "extract": [{"id": "F1", "name": "x.pdf"}],  # a file: can't be carried over
        "entityId": "",
        "expected": "5000",
    }
    kept = kept_typing(typed, {"useCase": "OTP", "expected": 4000}, {"companyName"})
    assert kept == {"senderName": "ACME", "expected": "5000"}
