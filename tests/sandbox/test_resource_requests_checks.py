"""The pure parts of the resource-request sandbox: value checks, 10DLC rules, list parameters."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from bot.sandbox.infobip import request_checks as checks
from bot.sandbox.infobip.requirements_catalog import ALPHA_HR, CONSENT, US_10DLC, requirements_for
from bot.sandbox.infobip.resource_requests import query_values

SPECS = {spec["key"]: spec for spec in ALPHA_HR}


def _code(key: str, value) -> str | None:
    feedback = checks.requirement_feedback([SPECS[key]], [{"key": key, "value": value}])
    return feedback[0]["code"] if feedback else None


@pytest.mark.parametrize(
    "key,value,code",
    [
        ("companyName", "Infobip", None),
        ("companyName", "AB", "RES_REQ_FEED_LENGTH_OOR"),
        ("companyName", "x" * 101, "RES_REQ_FEED_LENGTH_OOR"),
        ("companyName", "   ", "RES_REQ_FEED_REQUIRED"),
        ("companyName", 12345, "RES_REQ_FEED_FORMAT"),
        ("vatNumber", "HR12345678901", None),
        ("vatNumber", "hr12345678901", "RES_REQ_FEED_FORMAT"),
        ("vatNumber", "", None),  # optional and empty: nothing to check
        ("useCase", "OTP", None),
        ("useCase", "otp", "RES_REQ_FEED_VALUE_OOR"),
        ("registrationConsent", CONSENT, None),
        ("registrationConsent", "I consent", "RES_REQ_FEED_VALUE_OOR"),
        ("expectedMonthlyMessages", 1000, None),
        ("expectedMonthlyMessages", 10000001, "RES_REQ_FEED_VALUE_OOR"),
        ("expectedMonthlyMessages", "50000", "RES_REQ_FEED_FORMAT"),
        ("expectedMonthlyMessages", True, "RES_REQ_FEED_FORMAT"),
        ("companyEmailAddresses", ["a@b.hr", "c@d.com"], None),
        ("companyEmailAddresses", ["a@b.hr", "c@d"], "RES_REQ_FEED_FORMAT"),
        ("companyWebsite", "https://www.infobip.com/hr", None),
        ("companyWebsite", "ftp://infobip.com", "RES_REQ_FEED_FORMAT"),
        ("companyWebsite", "infobip.com", "RES_REQ_FEED_FORMAT"),
        ("contactPhoneNumber", "+385 91 123 4567", None),
        ("contactPhoneNumber", "0911234567", "RES_REQ_FEED_FORMAT"),
        ("companyRegistrationDocument", None, "RES_REQ_FEED_REQUIRED"),
    ],
)
def test_each_rule_gives_its_feedback_code(key, value, code):
    assert _code(key, value) == code


def test_structural_checks_of_filled_requirements():
    known = {"DOC1"}
    filled = [
        {"key": "companyName", "value": "Infobip"},
        {"key": "companyName", "value": "Again"},
        {"key": "nope", "value": "x"},
        {"key": "contactPhoneNumber", "value": ["+385911234567"]},
        {"key": "companyRegistrationDocument", "value": "DOC2"},
        {"key": "companyEmailAddresses", "value": [{"mail": "a@b.hr"}]},
        {"key": "expectedMonthlyMessages", "value": 1.5},
    ]
    assert checks.filled_violations(filled, ALPHA_HR, known.__contains__) == [
        ("requirements[1].key", "Duplicate requirement key 'companyName'."),
        ("requirements[2].key", "Unknown requirement key 'nope'."),
        ("requirements[3].value", "Requirement 'contactPhoneNumber' does not support multiple values."),
        ("requirements[4].value", "Document 'DOC2' not found: upload it with POST /resources/1/documents."),
        ("requirements[5].value", "must be a string, an integer or a list of them"),
        ("requirements[6].value", "must be a string, an integer or a list of them"),
    ]
    assert checks.update_violations({"requirements": [{"key": "a"}, "b"]}) == [
        ("requirements[0].value", "must not be null"),
        ("requirements[1]", "must be an object with key and value"),
    ]
    assert checks.update_violations({}) == [("requirements", "must not be null")]


@pytest.mark.parametrize(
    "values,problem",
    [
        ({}, None),
        ({"state": "IN"}, None),
        ({"state": "IN", "npa": "317", "nxx": "909"}, None),
        ({"npa": "317"}, None),
        ({"state": "TX", "npa": "999"}, None),  # an area code the sandbox does not know: not refused
        ({"nxx": "909"}, checks.NXX_REQUIRES_NPA_STATE),
        ({"npa": "317", "nxx": "909"}, checks.NXX_REQUIRES_NPA_STATE),
        ({"state": "NY", "npa": "317"}, checks.INVALID_STATE_NPA),
        ({"state": "IN", "npa": "317", "nxx": "911"}, checks.INVALID_NPA_NXX),
    ],
)
def test_ten_dlc_location_rules(values, problem):
    assert checks.ten_dlc_problem([{"key": k, "value": v} for k, v in values.items()]) == problem
    assert {spec["key"] for spec in US_10DLC} >= set(values)


def test_catalog_answers_copies():
    body = {"type": "ALPHANUMERIC_REGISTRATION", "countryCode": "hr"}
    first = requirements_for(body)
    first[0]["name"] = "changed"
    assert requirements_for(body)[0]["name"] == "Company Name"


def test_list_parameters_may_repeat_or_use_commas():
    scope = {"type": "http", "query_string": b"status=IN_REVIEW,COMPLETED&status=REJECTED&status=", "headers": []}
    assert query_values(Request(scope), "status") == ["IN_REVIEW", "COMPLETED", "REJECTED"]
