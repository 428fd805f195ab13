"""An Infobip webhook body read and recorded in one call on the store (bot/store/process.py).

Reading a body (JSON, the models, the domain's events) is most of a webhook's Python work. Done
in the store's process, next to the writes, it takes no turn from the event loop that answers
Slack and the providers; only the bytes go there and only the outcomes come back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlite_utils

from bot.providers.infobip.events import PROVIDER, to_provider_events
from bot.providers.infobip.webhooks import WebhookParseError, parse_webhook
from bot.store.events import Outcome, record_events
from bot.store.submissions import unconfirmed


@dataclass(frozen=True)
class Ingested:
    outcomes: list[Outcome] = field(default_factory=list)
    unknown: list[tuple[str, str | None]] = field(default_factory=list)  # (Infobip's id, status) not ours
    confirming: bool = False  # submissions whose answer was lost are being confirmed: unknown may be ours
    problem: str | None = None  # not a webhook body: why (the sender is answered 400)


def ingest_infobip(db: sqlite_utils.Database, body: bytes) -> Ingested:
    """Every event of the body recorded at once (all or none), or the problem with the body."""
    try:
        events = to_provider_events(parse_webhook(body))
    except WebhookParseError as error:
        return Ingested(problem=str(error))
    outcomes = [recorded.outcome for recorded in record_events(db, events)]
    unknown = [
        (event.provider_request_id, event.status)
        for event, outcome in zip(events, outcomes, strict=True)
        if outcome == Outcome.UNKNOWN_REQUEST
    ]
    return Ingested(outcomes, unknown, confirming=bool(unknown) and bool(unconfirmed(db, PROVIDER)))
