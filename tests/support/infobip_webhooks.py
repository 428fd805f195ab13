"""Infobip's webhook bodies as it sends them, and its date format."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def infobip_time(moment: datetime) -> str:
    """Infobip's date format: `2025-03-11T09:22:47.000+0000`."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def status_webhook(
    provider_request_id: str, status: str, received_at: datetime, *, kind: str = "NUMBER_PURCHASE", **content: Any
) -> dict:
    """A status-change webhook body as Infobip sends it."""
    return {
        "results": [
            {
                "event": "RESOURCE_REQUEST_STATUS_UPDATE",
                "receivedAt": infobip_time(received_at),
                "content": {
                    "id": provider_request_id,
                    "status": status,
                    "type": kind,
                    "requirementsFeedback": [],
                    **content,
                },
                "platform": {"applicationId": "default"},
            }
        ]
    }
