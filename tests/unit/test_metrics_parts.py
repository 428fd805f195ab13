"""The metrics' parts on their own: Slack's refusals counted by method and error code (each kind an
answer can take), webhook results in one word, and one registry per bot."""

from __future__ import annotations

from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.metrics import BotMetrics, result_for_status, webhook_result
from bot.store.events import Outcome


async def test_slack_error_counter_names_the_method_and_slack_error_code_and_never_retries():
    metrics = BotMetrics()
    counter = metrics.slack_error_counter("https://slack.com/api/")
    asked = {
        "state": RetryState(),
        "request": HttpRequest(method="POST", url="https://slack.com/api/chat.postMessage", headers={}),
    }
    refused = HttpResponse(status_code=200, headers={}, body={"ok": False, "error": "channel_not_found"})
    assert await counter.can_retry_async(**asked, response=refused) is False
    assert (
        await counter.can_retry_async(**asked, response=HttpResponse(status_code=200, headers={}, body={"ok": True}))
        is False
    )
    assert await counter.can_retry_async(**asked, error=ConnectionResetError()) is False
    upload = {
        "state": RetryState(),  # a one-off upload URL: not a method name
        "request": HttpRequest(method="POST", url="https://files.slack.com/upload/v1/ABC", headers={}),
    }
    assert await counter.can_retry_async(**upload, response=HttpResponse(status_code=500, headers={})) is False
    counted = {
        (s.labels["method"], s.labels["error"]): s.value
        for family in metrics.registry.collect()
        for s in family.samples
        if s.name == "resourcebot_slack_api_errors_total"
    }
    assert counted == {
        ("chat.postMessage", "channel_not_found"): 1,
        ("chat.postMessage", "ConnectionResetError"): 1,
        ("file_upload", "http_500"): 1,
    }
    # A second bot in the same process has counters of its own.
    assert not [
        s
        for family in BotMetrics().registry.collect()
        for s in family.samples
        if s.name == "resourcebot_slack_api_errors_total"
    ]


def test_a_webhook_result_is_one_word_for_all_its_events():
    assert webhook_result([Outcome.APPLIED]) == "accepted"
    assert webhook_result([Outcome.DUPLICATE, Outcome.RECORDED_STALE]) == "accepted"  # something was stored
    assert webhook_result([Outcome.DUPLICATE, Outcome.DUPLICATE]) == "duplicate"
    assert webhook_result([Outcome.DUPLICATE, Outcome.UNKNOWN_REQUEST]) == "unknown"
    assert [result_for_status(s) for s in (200, 202, 400, 401, 404, 413, 502, 503)] == [
        "accepted",
        "accepted",
        "refused",
        "unauthorized",
        "refused",
        "refused",
        "error",
        "busy",
    ]
