"""How a request's numbers read in its thread: Infobip's with their numberKey, CM.com's without."""

from __future__ import annotations

import json

from bot.slack.messages import status_reply
from bot.store.requests import RequestRecord


def _request(provider: str) -> RequestRecord:
    return RequestRecord(
        id="R2345678",
        provider=provider,
        provider_request_id="abc",
        kind="NUMBER_PURCHASE",
        requester="U0ALICE001",
        status="COMPLETED",
        created_at="2026-12-01T00:00:00+00:00",
        updated_at="2026-12-01T00:00:00+00:00",
        country="NL",
    )


def _shown(provider: str, numbers: list[dict]) -> str:
    return json.dumps(status_reply(_request(provider), "COMPLETED", feedback=[], note=None, numbers=numbers)["blocks"])


def test_an_infobip_number_shows_its_number_key():
    shown = _shown("infobip", [{"number": "31201234567", "numberKey": "8F0D0A2B"}])
    assert "+31 20 123 4567" in shown and "key `8F0D0A2B`" in shown


def test_a_cm_number_has_no_key_and_shows_no_placeholder_for_one():
    shown = _shown("cm", [{"number": "31201234567"}])
    assert "+31 20 123 4567" in shown
    assert "key" not in shown and "?" not in shown
