"""Webhook bodies Infobip sends about resource requests: status changes and reminders."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.providers.infobip.models import (
    FeedbackCode,
    Reminder,
    ResourceRequestStatus,
    ResourceRequestType,
    StatusChange,
)
from bot.providers.infobip.webhooks import WebhookParseError, parse_webhook
from tests.support.contract import SPEC_PATH

WEBHOOKS = json.loads(SPEC_PATH.read_text())["webhooks"]


def contract_examples(name: str) -> dict[str, dict]:
    media = WEBHOOKS[name]["post"]["requestBody"]["content"]["application/json"]
    return {title: example["value"] for title, example in media["examples"].items()}


STATUS_EXAMPLES = contract_examples("resource-request-status-change-notification")
REMINDER_EXAMPLES = contract_examples("resource-request-reminder-notification")


@pytest.mark.parametrize("title", list(STATUS_EXAMPLES))
def test_every_status_example_parses(title):
    body = STATUS_EXAMPLES[title]
    [change] = parse_webhook(json.dumps(body).encode())
    assert isinstance(change, StatusChange)
    assert change.content.status == body["results"][0]["content"]["status"]
    assert change.received_at.tzinfo is not None
    assert change.to_wire()["receivedAt"] == body["results"][0]["receivedAt"]


def test_status_change_carries_feedback():
    [change] = parse_webhook(STATUS_EXAMPLES["Alphanumeric Registration - UPDATE_REQUESTED"])
    assert change.content.status is ResourceRequestStatus.UPDATE_REQUESTED
    assert change.content.type is ResourceRequestType.ALPHANUMERIC_REGISTRATION
    assert [(f.key, f.code) for f in change.content.requirements_feedback] == [
        ("contactPhoneNumber", FeedbackCode.REQUIRED),
        ("companyName", FeedbackCode.LENGTH_OOR),
    ]
    assert change.platform.application_id == "application-id"
    assert change.received_at == datetime(2025, 3, 11, 9, 22, 47, tzinfo=UTC)


def test_completed_number_purchase_carries_numbers_and_note():
    [change] = parse_webhook(STATUS_EXAMPLES["Number Purchase - COMPLETED"])
    assert [n.number_key for n in change.content.numbers] == [
        "A3F8C21D04E7B96F2150C8DA3E47B01F",
        "D92E4B810FC6A3571E08B29CD54F7A2E",
    ]
    assert change.content.note == "Only 2 out of 5 requested numbers could be procured."


def test_reminder_parses():
    [reminder] = parse_webhook(json.dumps(REMINDER_EXAMPLES["Reminder"]))
    assert isinstance(reminder, Reminder)
    assert reminder.content.days_until_rejection == 27
    assert reminder.content.status is ResourceRequestStatus.UPDATE_REQUESTED


def test_a_body_with_several_mixed_results_keeps_their_order():
    body = {
        "results": [
            STATUS_EXAMPLES["RCS Sender Launch - REJECTED"]["results"][0],
            REMINDER_EXAMPLES["Reminder"]["results"][0],
            STATUS_EXAMPLES["Number Purchase - COMPLETED"]["results"][0],
        ]
    }
    parsed = parse_webhook(body)
    assert [type(p) for p in parsed] == [StatusChange, Reminder, StatusChange]
    assert [p.content.status for p in parsed] == ["REJECTED", "UPDATE_REQUESTED", "COMPLETED"]


def test_unknown_status_and_rfc3339_date_are_accepted():
    result = {
        "event": "RESOURCE_REQUEST_STATUS_UPDATE",
        "receivedAt": "2025-03-11T10:22:47+01:00",
        "content": {"id": "r1", "status": "PARTIALLY_COMPLETED", "type": "NUMBER_PURCHASE"},
    }
    [change] = parse_webhook({"results": [result]})
    assert change.content.status == "PARTIALLY_COMPLETED"
    assert change.received_at == datetime(2025, 3, 11, 9, 22, 47, tzinfo=UTC)


def test_results_of_other_events_are_skipped(caplog):
    other = {"event": "RESOURCE_REQUEST_FOC_DATE_CHANGE", "content": {"id": "r1"}}
    body = {"results": [other, REMINDER_EXAMPLES["Reminder"]["results"][0]]}
    assert [type(p) for p in parse_webhook(body)] == [Reminder]
    assert "RESOURCE_REQUEST_FOC_DATE_CHANGE" in caplog.text


def test_an_empty_results_list_is_nothing_to_do():
    assert parse_webhook(b'{"results": []}') == []


@pytest.mark.parametrize(
    "body,message",
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[]", '"results" list'),
        (b'{"results": {}}', '"results" list'),
        (b'{"data": []}', '"results" list'),
        (b'{"results": ["x"]}', r"results\[0\] is not an object"),
        (b'{"results": [{"content": {"id": "r1", "status": "COMPLETED"}}]}', "no event name"),
        (
            b'{"results": [{"event": "RESOURCE_REQUEST_STATUS_UPDATE", '
            b'"content": {"id": "r1", "status": "COMPLETED"}}]}',
            "receivedAt",
        ),
        (
            b'{"results": [{"event": "RESOURCE_REQUEST_REMINDER", "content": {"id": "r1", "status": "UPDATE_REQUESTED",'
            b' "type": "NUMBER_PURCHASE", "daysUntilRejection": "soon"}}]}',
            "daysUntilRejection",
        ),
    ],
)
def test_malformed_bodies_raise_a_clear_error(body, message):
    with pytest.raises(WebhookParseError, match=message) as caught:
        parse_webhook(body)
    assert isinstance(caught.value, ValueError)
