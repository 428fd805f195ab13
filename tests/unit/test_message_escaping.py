"""Provider-derived text reaching Slack is escaped in `text` (the notification) as in the blocks."""

from __future__ import annotations

import json

from bot.slack.messages import root_message, status_reply
from bot.store.requests import RequestRecord

HOSTILE = "<!channel> <https://evil.example|click> &"


def _request(**fields) -> RequestRecord:
    return RequestRecord(
        id="R2345678",
        provider="infobip",
        provider_request_id="abc",
        kind="ALPHANUMERIC_REGISTRATION",
        requester="U0ALICE001",
        status=HOSTILE,
        created_at="2026-12-01T00:00:00+00:00",
        updated_at="2026-12-01T00:00:00+00:00",
        sender_name="<!here>",
        country="HR",
        **fields,
    )


def test_an_unknown_status_is_escaped_in_the_reply_and_root_notifications():
    request = _request()
    for message in (status_reply(request, HOSTILE, feedback=[], note=None, numbers=[]), root_message(request)):
        everything = message["text"] + json.dumps(message["blocks"])
        assert "<!channel>" not in everything and "<!here>" not in everything
        assert "<https://evil" not in everything
        assert "&lt;!channel&gt;" in message["text"]
