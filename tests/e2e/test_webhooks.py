"""POST /webhooks/infobip over real HTTP: authentication, malformed bodies, unknown requests,
repeats and late arrivals. A webhook is stored (and posted) once, and never moves a thread back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.infobip_webhooks import status_webhook
from tests.support.world import block_text

NUMBERS = [{"number": "447700900123", "numberKey": "8F0A1C2B3D4E5F60718293A4B5C6D7E8", "status": "SUCCESS"}]


def soon(minutes: float = 1) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)


@pytest.fixture
def request_(world):
    return world.new_request("number GB VIRTUAL_LONG_NUMBER")


def test_missing_or_wrong_basic_credentials_get_401_and_nothing_is_stored(world, request_):
    world.wait_idle()
    before = world.table_counts()
    body = status_webhook(request_.provider_request_id, "COMPLETED", soon(), numbers=NUMBERS)
    user, password = world.services.webhook_credentials
    for credentials in (None, (user, password + "x"), ("someone-else", password)):
        answer = world.post_webhook(body, credentials=credentials)
        assert answer.status_code == 401, (credentials, answer.text)
        assert answer.headers["www-authenticate"].startswith("Basic")
    assert world.table_counts() == before
    assert world.request(request_.id).status == "AUTOMATIC_VALIDATION"


MISSHAPEN = [
    b"{not json",
    b"",
    b'["results"]',
    b'{"results": "COMPLETED"}',
    b'{"results": [{"event": "RESOURCE_REQUEST_STATUS_UPDATE", "receivedAt": "yesterday"}]}',
    b'{"results": [{"event": "RESOURCE_REQUEST_STATUS_UPDATE", "content": {"status": "COMPLETED"}}]}',
]


def test_malformed_or_misshapen_bodies_get_400_and_nothing_is_stored(world, request_):
    world.wait_idle()
    before = world.table_counts()
    for body in MISSHAPEN:
        answer = world.post_webhook(body)
        assert answer.status_code == 400, (body, answer.text)
    assert world.table_counts() == before


def test_a_webhook_about_an_unknown_request_is_accepted_and_ignored(world, request_):
    world.wait_idle()
    before, posts = world.table_counts(), len(world.slack.calls("chat.postMessage"))
    answer = world.post_webhook(status_webhook("0b5e7c1a-0000-4000-8000-000000000000", "COMPLETED", soon()))
    assert answer.status_code == 200 and answer.json()["outcomes"] == ["unknown"]
    assert world.table_counts() == before
    world.wait_idle()
    assert len(world.slack.calls("chat.postMessage")) == posts


def test_the_same_webhook_twice_makes_one_thread_post(world, request_):
    body = status_webhook(request_.provider_request_id, "COMPLETED", soon(), numbers=NUMBERS)
    first, second = world.post_webhook(body), world.post_webhook(body)
    assert first.status_code == second.status_code == 200
    assert first.json()["outcomes"] == ["applied"] and second.json()["outcomes"] == ["duplicate"]
    world.wait_thread(request_.id, 2)
    world.wait_idle()
    thread = world.thread(request_)
    assert len(thread) == 2 and "Completed" in block_text(thread[1])
    assert world.table_counts()["events"] == 1


def test_a_late_older_webhook_is_recorded_but_does_not_move_the_thread_back(world, request_):
    completed = status_webhook(request_.provider_request_id, "COMPLETED", soon(2), numbers=NUMBERS)
    late = status_webhook(
        request_.provider_request_id,
        "UPDATE_REQUESTED",
        soon(1),
        requirementsFeedback=[{"key": "quantity", "code": "RES_REQ_FEED_OTHER", "feedback": "Stale feedback"}],
    )
    assert world.post_webhook(completed).json()["outcomes"] == ["applied"]
    world.wait_thread(request_.id, 2)
    world.wait_idle()
    answer = world.post_webhook(late)
    assert answer.status_code == 200 and answer.json()["outcomes"] == ["stale"]
    assert world.table_counts()["events"] == 2  # kept for the record
    world.wait_idle()
    thread = world.thread(request_)
    assert len(thread) == 2 and "Stale feedback" not in str(thread)
    root = world.root_text(request_)
    assert "Completed" in root and "request_update" not in root
    assert world.request(request_.id).status == "COMPLETED"
