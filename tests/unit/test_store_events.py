"""Recording provider events: dedupe, never backwards, and the bot's own actions on the provider's clock."""

from datetime import UTC, datetime, timedelta

from bot.domain.events import EventKind, ProviderEvent
from bot.store import outbox
from bot.store.db import open_database
from bot.store.events import Outcome, record_bot_action, record_events
from bot.store.requests import create_request, get_request

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def setup(status: str = "UPDATE_REQUESTED", status_at: datetime = NOW):
    db = open_database(":memory:")
    request = create_request(
        db,
        provider="infobip",
        provider_request_id="ib-1",
        kind="ALPHANUMERIC_REGISTRATION",
        requester="U1",
        status=status,
        status_at=status_at.isoformat(),
    )
    return db, request


def status(value: str, at: datetime) -> ProviderEvent:
    return ProviderEvent(
        provider="infobip", provider_request_id="ib-1", kind=EventKind.STATUS, occurred_at=at, status=value
    )


def test_a_repeated_event_is_recorded_once_and_queues_one_reply():
    db, request = setup("AUTOMATIC_VALIDATION")
    first = record_events(db, [status("COMPLETED", NOW + timedelta(minutes=5))])
    again = record_events(db, [status("COMPLETED", NOW + timedelta(minutes=5))])
    assert [r.outcome for r in first + again] == [Outcome.APPLIED, Outcome.DUPLICATE]
    assert [i.kind for i in outbox.due(db)] == [outbox.THREAD_REPLY]  # the head of the queue
    assert outbox.pending_count(db) == 3  # one reply, one root update, one Home refresh


def test_a_late_event_is_kept_but_never_moves_a_final_status_back():
    db, request = setup("COMPLETED")
    [late] = record_events(db, [status("UPDATE_REQUESTED", NOW - timedelta(minutes=1))])
    assert late.outcome == Outcome.RECORDED_STALE
    assert get_request(db, request.id).status == "COMPLETED"
    assert outbox.pending_count(db) == 0


def test_an_unknown_request_stores_nothing():
    db, _ = setup()
    event = ProviderEvent(
        provider="infobip",
        provider_request_id="someone-else",
        kind=EventKind.STATUS,
        occurred_at=NOW,
        status="COMPLETED",
    )
    assert record_events(db, [event])[0].outcome == Outcome.UNKNOWN_REQUEST
    assert db["events"].count == 0


def test_the_bots_update_shows_even_when_the_providers_clock_runs_ahead_and_the_next_webhook_still_wins():
    # Infobip's clock is an hour ahead of ours: its UPDATE_REQUESTED is stamped in our future.
    db, request = setup("UPDATE_REQUESTED", NOW + timedelta(hours=1))
    assert record_bot_action(db, request, "AUTOMATIC_VALIDATION", "updated", "U1").outcome == Outcome.APPLIED
    assert get_request(db, request.id).status == "AUTOMATIC_VALIDATION"
    # The review that follows, a second later on Infobip's clock, replaces it.
    [next_review] = record_events(db, [status("UPDATE_REQUESTED", NOW + timedelta(hours=1, seconds=1))])
    assert next_review.outcome == Outcome.APPLIED
    assert get_request(db, request.id).status == "UPDATE_REQUESTED"
