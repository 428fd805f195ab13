"""Every JSON example in Infobip's contract parses with the client's models and writes back as is."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, TypeAdapter

from bot.providers.infobip.errors import InfobipNotFound, InfobipRateLimited, api_error_from_response
from bot.providers.infobip.models import (
    AlphaRegistrationSubmit,
    ApiError,
    CertificateDetails,
    CertificateRef,
    CertificateStatusInfo,
    CertificateUpload,
    ConnectionTestRequest,
    ConnectionTestResult,
    DocumentUploaded,
    FilledRequirement,
    InfobipDateTime,
    LegacyApiError,
    Number,
    NumberList,
    NumberPurchase,
    NumberUpdate,
    OauthCredentials,
    OwnedResource,
    Page,
    Platform,
    Profile,
    ProfileRef,
    ProfileRequest,
    ProfileUpdate,
    ReminderNotification,
    Requirement,
    RequirementsLookupResult,
    RequirementsQuery,
    RequirementType,
    ResourceRequest,
    ResourceRequestCreated,
    ResourceRequestStatus,
    ResourceRequestSubmit,
    ResourceRequestUpdate,
    SecurityRef,
    SecuritySettings,
    SecuritySettingsUpdate,
    StatusChangeNotification,
    Subscription,
    SubscriptionRef,
    SubscriptionRequest,
    SubscriptionUpdate,
)
from tests.support.contract import SPEC_PATH

SPEC = json.loads(SPEC_PATH.read_text())

# What each example is read with: (operation id, "request" or status) -> type.
MODEL_FOR: dict[tuple[str, str], Any] = {
    ("resources-requirements-lookup", "request"): RequirementsQuery,
    ("resources-requirements-lookup", "200"): RequirementsLookupResult,
    ("get-resource-requests", "200"): Page[ResourceRequest],
    ("submit-resource-request", "request"): ResourceRequestSubmit,
    ("submit-resource-request", "201"): ResourceRequestCreated,
    ("get-resource-request", "200"): ResourceRequest,
    ("update-resource-request", "request"): ResourceRequestUpdate,
    ("update-resource-request", "200"): ResourceRequest,
    ("upload-document", "201"): DocumentUploaded,
    ("list-resources", "200"): Page[OwnedResource],
    ("get-available-numbers", "200"): NumberList,
    ("list-owned-numbers", "200"): NumberList,
    ("purchase-number", "request"): NumberPurchase,
    ("purchase-number", "200"): Number,
    ("get-single-owned-number", "200"): Number,
    ("update-owned-number", "request"): NumberUpdate,
    ("update-owned-number", "200"): Number,
    ("create-subscription", "request"): SubscriptionRequest,
    ("get-subscription", "200"): Subscription,
    ("update-subscription", "request"): SubscriptionUpdate,
    ("update-subscription", "200"): SubscriptionRef,
    ("delete-subscription", "200"): SubscriptionRef,
    ("create-profile", "request"): ProfileRequest,
    ("get-profile", "200"): Profile,
    ("update-profile", "request"): ProfileUpdate,
    ("update-profile", "200"): ProfileRef,
    ("delete-profile", "200"): ProfileRef,
    ("create-security-settings", "request"): SecuritySettings,
    ("get-security-setting", "200"): SecuritySettings,
    ("update-security-settings", "request"): SecuritySettingsUpdate,
    ("update-security-settings", "200"): SecurityRef,
    ("delete-security-settings", "200"): SecurityRef,
    ("get-certificates-details-page", "200"): Page[CertificateDetails],
    ("upload-certificate", "request"): CertificateUpload,
    ("delete-certificate", "200"): CertificateRef,
    ("get-certificates-statuses-page", "200"): Page[CertificateStatusInfo],
    ("test-connection-to-webhook", "request"): ConnectionTestRequest,
    ("test-connection-to-webhook", "200"): ConnectionTestResult,
    ("resource-request-status-change-notification", "request"): StatusChangeNotification,
    ("resource-request-reminder-notification", "request"): ReminderNotification,
}


def _resolve(item: dict) -> dict:
    if "$ref" not in item:
        return item
    node: Any = SPEC
    for part in item["$ref"].removeprefix("#/").split("/"):
        node = node[part]
    return node


def _json_examples():
    """(operation id, "request" or status, example name, value) for every JSON example.

    The multipart upload examples are code snippets in several languages, and the XML twins of
    the error examples are not what the client asks for (it sends Accept: application/json).
    """
    for paths in (SPEC["paths"], SPEC["webhooks"]):
        for item in paths.values():
            for method, operation in item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                places = [("request", operation.get("requestBody", {}))]
                places += [(status, _resolve(r)) for status, r in operation["responses"].items()]
                for where, holder in places:
                    for content_type, media in holder.get("content", {}).items():
                        if "json" not in content_type and content_type != "*/*":
                            continue
                        if "example" in media:
                            yield operation["operationId"], where, "example", media["example"]
                        for name, example in media.get("examples", {}).items():
                            yield operation["operationId"], where, name, _resolve(example)["value"]


EXAMPLES = list(_json_examples())
SUCCESS = [e for e in EXAMPLES if e[1] == "request" or e[1].startswith("2")]
ERRORS = [e for e in EXAMPLES if not (e[1] == "request" or e[1].startswith("2"))]


def _id(example: tuple) -> str:
    return f"{example[0]} {example[1]} {example[2]}"


def test_the_contract_has_examples_of_every_kind():
    assert len(SUCCESS) > 80 and len(ERRORS) > 200
    assert {op for op, *_ in SUCCESS} >= {
        "submit-resource-request",
        "get-resource-request",
        "resource-request-status-change-notification",
    }


@pytest.mark.parametrize("example", SUCCESS, ids=_id)
def test_example_parses_and_writes_back_unchanged(example):
    operation_id, where, _, value = example
    adapter = TypeAdapter(MODEL_FOR[operation_id, where])
    parsed = adapter.validate_python(value)
    # Every field is a modelled one (a misspelt alias would land in the extras) ...
    assert _extra_fields(parsed) == []
    # ... and nothing is lost or renamed; dates are written back in Infobip's own format.
    assert adapter.dump_python(parsed, mode="json", by_alias=True, exclude_unset=True) == value


def _extra_fields(value: Any) -> list[str]:
    """Names of fields kept as extras anywhere inside a parsed value."""
    if isinstance(value, BaseModel):
        found = list(value.model_extra or {})
        for name in type(value).model_fields:
            found += _extra_fields(getattr(value, name))
        return found
    if isinstance(value, list):
        return [name for item in value for name in _extra_fields(item)]
    return []


@pytest.mark.parametrize("example", ERRORS, ids=_id)
def test_error_example_parses_and_reads_as_a_sentence(example):
    operation_id, status, _, value = example
    if "errorCode" in value:
        assert ApiError.model_validate(value).error_code == value["errorCode"]
        description = value["description"]
    else:
        details = LegacyApiError.model_validate(value).request_error.service_exception
        description = details.text
    error = api_error_from_response(httpx.Response(int(status), json=value), operation_id)
    assert error.status == int(status)
    assert str(error).startswith(description)
    assert isinstance(error, InfobipNotFound) == (status == "404")
    assert isinstance(error, InfobipRateLimited) == (status == "429")


def test_legacy_validation_errors_become_violations():
    body = {
        "requestError": {
            "serviceException": {
                "messageId": "BAD_REQUEST",
                "text": "Bad request",
                "validationErrors": {"applicationId": ["must not be blank", "size must be at most 255"]},
            }
        }
    }
    error = api_error_from_response(httpx.Response(400, json=body))
    assert error.error_code == "BAD_REQUEST"
    assert error.violations == [("applicationId", "must not be blank"), ("applicationId", "size must be at most 255")]
    assert str(error) == "Bad request. (applicationId: must not be blank; applicationId: size must be at most 255)"


def test_submit_body_is_written_with_wire_names_and_no_nulls():
    body = AlphaRegistrationSubmit(
        sender_name="InfobipHR",
        country_code="HR",
        traffic_origin="LOCAL",
        additional_contact_emails=["ops@example.com"],
        requirements=[
            FilledRequirement(key="companyName", value="Infobip"),
            FilledRequirement(key="companyEmailAddresses", value=["a@example.com", "b@example.com"]),
        ],
        platform=Platform(application_id="app"),
    )
    assert body.to_wire() == {
        "type": "ALPHANUMERIC_REGISTRATION",
        "senderName": "InfobipHR",
        "countryCode": "HR",
        "trafficOrigin": "LOCAL",
        "additionalContactEmails": ["ops@example.com"],
        "requirements": [
            {"key": "companyName", "value": "Infobip"},
            {"key": "companyEmailAddresses", "value": ["a@example.com", "b@example.com"]},
        ],
        "platform": {"applicationId": "app"},
    }
    assert TypeAdapter(ResourceRequestSubmit).validate_python(body.to_wire()) == body


def test_unknown_status_and_type_are_kept_as_strings():
    request = ResourceRequest.model_validate({"id": "r1", "type": "VIBER_SENDER_LAUNCH", "status": "ON_HOLD"})
    assert (request.type, request.status) == ("VIBER_SENDER_LAUNCH", "ON_HOLD")
    known = ResourceRequest.model_validate({"id": "r1", "type": "NUMBER_PURCHASE", "status": "COMPLETED"})
    assert known.status is ResourceRequestStatus.COMPLETED


def test_unknown_requirement_type_is_kept_as_a_string():
    requirement = Requirement.model_validate({"key": "birthday", "type": "DATE", "name": "Birthday"})
    assert requirement.type == "DATE" and not isinstance(requirement.type, RequirementType)
    assert Requirement.model_validate({"key": "k", "type": "GSM"}).type is RequirementType.GSM


def test_contact_emails_are_read_under_either_name():
    for name in ("additionalContactEmailAddresses", "additionalContactEmails"):
        request = ResourceRequest.model_validate({"id": "r1", "type": "NUMBER_PURCHASE", name: ["x@example.com"]})
        assert request.additional_contact_emails == ["x@example.com"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2025-03-11T09:22:47.000+0000", datetime(2025, 3, 11, 9, 22, 47, tzinfo=UTC)),
        ("2025-03-11T11:22:47.250+0200", datetime(2025, 3, 11, 9, 22, 47, 250000, tzinfo=UTC)),
        ("2025-03-11T09:22:47Z", datetime(2025, 3, 11, 9, 22, 47, tzinfo=UTC)),
        ("2025-03-11T04:22:47-05:00", datetime(2025, 3, 11, 9, 22, 47, tzinfo=UTC)),
        ("2025-03-11T09:22:47", datetime(2025, 3, 11, 9, 22, 47, tzinfo=UTC)),  # no offset: UTC
    ],
)
def test_dates_parse_to_aware_datetimes(text, expected):
    parsed = TypeAdapter(InfobipDateTime).validate_python(text)
    assert parsed.tzinfo is not None and parsed == expected


def test_dates_are_written_in_infobip_format():
    moment = datetime(2025, 3, 11, 11, 22, 47, 5000, tzinfo=timezone(timedelta(hours=2)))
    assert TypeAdapter(InfobipDateTime).dump_python(moment, mode="json") == "2025-03-11T11:22:47.005+0200"


def test_oauth_credentials_with_a_username_are_not_taken_for_basic():
    settings = SecuritySettings.model_validate(
        {
            "authId": "a",
            "type": "OAUTH",
            "credentials": {
                "tokenUrl": "https://auth.example.com/token",
                "grantType": "password",
                "username": "u",
                "password": "p",
            },
        }
    )
    assert isinstance(settings.credentials, OauthCredentials)


def test_secrets_stay_out_of_repr():
    settings = SecuritySettings.model_validate(
        {"authId": "a", "type": "BASIC", "credentials": {"username": "u", "password": "hunter2"}}
    )
    assert "hunter2" not in repr(settings)
    assert settings.to_wire()["credentials"]["password"] == "hunter2"
