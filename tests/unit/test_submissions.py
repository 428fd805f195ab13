"""Finding the request a submission created when its answer was lost (domain/submissions.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.statuses import describe_status, is_final
from bot.domain.submissions import (
    CLOCK_ALLOWANCE,
    GIVE_UP_AFTER,
    NOT_SUBMITTED,
    UNCONFIRMED,
    Attempt,
    fits,
    given_up,
    match_attempts,
)
from bot.providers.infobip.models import ResourceRequest

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def alpha(rid: str, at: datetime | None, *, sender: str = "ACME", country: str = "NL") -> ResourceRequest:
    body = {
        "id": rid,
        "type": "ALPHANUMERIC_REGISTRATION",
        "countryCode": country,
        "senderName": sender,
        "status": "PENDING",
    }
    if at is not None:
        body["requestedDate"] = at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    return ResourceRequest.model_validate(body)


def number(rid: str, at: datetime, *, number_type: str = "VIRTUAL_LONG_NUMBER", country: str = "GB") -> ResourceRequest:
    return ResourceRequest.model_validate(
        {
            "id": rid,
            "type": "NUMBER_PURCHASE",
            "countryCode": country,
            "numberType": number_type,
            "capabilities": ["SMS"],
            "quantity": 1,
            "status": "PENDING",
            "requestedDate": at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        }
    )


def alpha_attempt(request_id: str = "R1", at: datetime = T0, sender: str = "ACME") -> Attempt:
    return Attempt(request_id, "ALPHANUMERIC_REGISTRATION", "NL", sender, None, at)


def number_attempt(request_id: str = "R1", at: datetime = T0, number_type: str = "VIRTUAL_LONG_NUMBER") -> Attempt:
    return Attempt(request_id, "NUMBER_PURCHASE", "GB", None, number_type, at)


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        (alpha("a", T0 + timedelta(seconds=2)), True),
        (alpha("a", T0), True),  # at the attempt
        (alpha("a", T0 - CLOCK_ALLOWANCE + timedelta(seconds=1)), True),  # Infobip's clock a little behind
        (alpha("a", T0 - CLOCK_ALLOWANCE - timedelta(seconds=1)), False),  # requested before we sent ours
        (alpha("a", T0 + timedelta(seconds=2), sender="OTHER"), False),
        (alpha("a", T0 + timedelta(seconds=2), country="DE"), False),
        (alpha("a", T0 + timedelta(seconds=2), country="nl"), True),
        (alpha("a", None), False),  # no date: cannot tell
        (number("a", T0 + timedelta(seconds=2)), False),  # another type
    ],
)
def test_an_alphanumeric_submission_fits_same_type_country_sender_at_or_after_it(candidate, expected):
    assert fits(alpha_attempt(), candidate) is expected


def test_a_number_submission_fits_by_number_type():
    later = T0 + timedelta(seconds=5)
    assert fits(number_attempt(), number("n", later))
    assert not fits(number_attempt(), number("n", later, number_type="TOLL_FREE_NUMBER"))
    assert not fits(number_attempt(), number("n", later, country="US"))


def test_the_earliest_fit_after_the_attempt_is_ours_and_linked_ones_are_skipped():
    candidates = [
        alpha("newest", T0 + timedelta(minutes=3)),
        alpha("linked", T0 + timedelta(seconds=1)),
        alpha("ours", T0 + timedelta(seconds=4)),
        alpha("older", T0 - timedelta(hours=1)),
    ]
    found = match_attempts([alpha_attempt()], candidates, linked={"linked"})
    assert found["R1"].id == "ours"


def test_two_identical_submissions_get_one_request_each_in_order():
    attempts = [alpha_attempt("R2", T0 + timedelta(minutes=1)), alpha_attempt("R1", T0)]
    candidates = [alpha("second", T0 + timedelta(minutes=1, seconds=2)), alpha("first", T0 + timedelta(seconds=2))]
    found = match_attempts(attempts, candidates, linked=set())
    assert {k: v.id for k, v in found.items()} == {"R1": "first", "R2": "second"}


def test_no_fit_means_no_match_and_a_request_is_never_given_twice():
    attempts = [alpha_attempt("R1", T0), alpha_attempt("R2", T0 + timedelta(seconds=1))]
    found = match_attempts(attempts, [alpha("only", T0 + timedelta(seconds=3))], linked=set())
    assert {k: v.id for k, v in found.items()} == {"R1": "only"}
    assert match_attempts([alpha_attempt(sender="NOPE")], [alpha("x", T0 + timedelta(seconds=3))], set()) == {}


def test_given_up_only_after_the_bounded_wait():
    attempt = alpha_attempt()
    assert not given_up(attempt, T0 + GIVE_UP_AFTER - timedelta(seconds=1))
    assert given_up(attempt, T0 + GIVE_UP_AFTER)


def test_the_bots_own_statuses_are_shown_not_mistaken_for_infobips():
    assert describe_status(UNCONFIRMED).label == "Checking with Infobip" and not is_final(UNCONFIRMED)
    assert describe_status(NOT_SUBMITTED).label == "Not submitted" and is_final(NOT_SUBMITTED)
    assert describe_status(NOT_SUBMITTED).group.name == "CANCELED"


# ---- the store side: recorded, linked once, or given up once ----------------------------------


def _store():
    from bot.store.db import open_database

    return open_database(":memory:")


def test_an_unconfirmed_submission_is_linked_once_and_its_thread_queued():
    from bot.store import outbox
    from bot.store.submissions import as_attempt, link_submission, linked_ids, mark_not_submitted, record_unconfirmed
    from bot.store.submissions import unconfirmed as list_unconfirmed

    db = _store()
    pending = record_unconfirmed(
        db,
        attempted_at=T0,
        provider="infobip",
        kind="ALPHANUMERIC_REGISTRATION",
        country="NL",
        sender_name="ACME",
        requester="U1",
        channel="C1",
    )
    assert pending.status == UNCONFIRMED and pending.provider_request_id is None
    assert [r.id for r in list_unconfirmed(db, "infobip")] == [pending.id]
    assert as_attempt(pending) == alpha_attempt(pending.id)

    linked = link_submission(db, pending.id, "ib-9", "PENDING_REVIEW", T0 + timedelta(seconds=3))
    assert linked and linked.provider_request_id == "ib-9" and linked.status == "PENDING_REVIEW"
    assert link_submission(db, pending.id, "ib-10", "PENDING", T0) is None  # settled already
    assert mark_not_submitted(db, pending.id) is None
    assert list_unconfirmed(db, "infobip") == [] and linked_ids(db, "infobip", ["ib-9", "ib-10"]) == {"ib-9"}
    assert [i.kind for i in outbox.due(db, limit=10)] == [outbox.HOME_REFRESH]  # head; the root follows
    assert outbox.pending_count(db) == 3


def test_a_given_up_submission_queues_the_dm_and_is_never_linked_after():
    from bot.store import outbox
    from bot.store.requests import get_request
    from bot.store.submissions import link_submission, mark_not_submitted, record_unconfirmed

    db = _store()
    pending = record_unconfirmed(
        db,
        attempted_at=T0,
        provider="infobip",
        kind="NUMBER_PURCHASE",
        country="GB",
        number_type="VIRTUAL_LONG_NUMBER",
        requester="U1",
        channel="C1",
    )
    assert mark_not_submitted(db, pending.id).status == NOT_SUBMITTED
    assert link_submission(db, pending.id, "ib-1", "PENDING", T0) is None
    assert get_request(db, pending.id).provider_request_id is None
    kinds = [r[0] for r in db.execute("SELECT kind FROM outbox ORDER BY id").fetchall()]
    assert kinds == [outbox.HOME_REFRESH, outbox.NOT_SUBMITTED, outbox.HOME_REFRESH]
