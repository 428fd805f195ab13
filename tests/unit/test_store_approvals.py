"""The approvals table: one waiting per target, a repeat recognised, the first decision wins, and an
approval claims its intent in the same transaction (rolled back when the target is busy)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.approvals import ApprovalState
from bot.store import outbox
from bot.store.approvals import create, decide, expire_due, get_approval, remind_due
from bot.store.db import open_database, write
from bot.store.intents import claim, get_intent

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _wanted(key: str) -> dict:
    return {"key": key, "provider": "infobip", "params": {"offer": {}}, "context": {"view_id": "V1"}}


def _create(db, key: str, target: str = "number:K1"):
    return create(
        db,
        key=key,
        action="number.purchase",
        kind="purchase",
        requester="U0REQ",
        target=target,
        wanted=_wanted(key),
        summary={"what": "+44 7700 900123"},
        created_at=NOW,
        expires_at=NOW + timedelta(hours=72),
        recipients=[("U0ANN", True), ("C0CHAN", False)],
    )


def test_one_waiting_per_target_and_a_repeat_is_the_same_approval(tmp_path):
    db = open_database(tmp_path / "db.sqlite3")
    assert _create(db, "k1").first
    again = _create(db, "k1")
    assert not again.first and not again.busy and again.approval.key == "k1"
    other = _create(db, "k2")
    assert other.busy and other.approval.key == "k1"
    kinds = [r[0] for r in db.execute("SELECT kind FROM outbox ORDER BY id").fetchall()]
    assert kinds == [outbox.APPROVAL_POST, outbox.APPROVAL_POST, outbox.APPROVAL_HOMES]  # the posts, then Homes


def test_the_first_decision_wins_and_claims_the_intent(tmp_path):
    db = open_database(tmp_path / "db.sqlite3")
    _create(db, "k1")
    first = decide(db, "k1", decider="U0ANN", state=ApprovalState.APPROVED, reason=None, at=NOW)
    assert first.first and first.intent is not None and first.intent.actor == "U0REQ"
    assert first.intent.context["approved_by"] == "U0ANN" and first.intent.context["view_id"] is None
    later = decide(db, "k1", decider="U0BEN", state=ApprovalState.DENIED, reason="no", at=NOW)
    assert not later.first and later.approval.decided_by == "U0ANN" and later.approval.state == ApprovalState.APPROVED
    assert expire_due(db, NOW + timedelta(days=10)) == []
    # A new request for the same target may wait again once this one is decided.
    assert _create(db, "k3").first


def test_an_approval_on_a_busy_target_decides_nothing(tmp_path):
    db = open_database(tmp_path / "db.sqlite3")
    _create(db, "k1")
    with write(db):
        claim(
            db,
            key="other",
            action="number.purchase",
            target="number:K1",
            actor="U0X",
            provider="infobip",
            params={},
            context={},
        )
    busy = decide(db, "k1", decider="U0ANN", state=ApprovalState.APPROVED, reason=None, at=NOW)
    assert busy.busy and not busy.first
    assert get_approval(db, "k1").state == ApprovalState.WAITING and get_intent(db, "k1") is None


def test_expiry_decides_what_is_due_once(tmp_path):
    db = open_database(tmp_path / "db.sqlite3")
    _create(db, "k1")
    assert expire_due(db, NOW + timedelta(hours=71)) == []
    [gone] = expire_due(db, NOW + timedelta(hours=72))
    assert gone.state == ApprovalState.EXPIRED and gone.reason == "expired"
    assert expire_due(db, NOW + timedelta(hours=80)) == []
    dms = db.execute("SELECT COUNT(*) FROM outbox WHERE kind = ?", [outbox.APPROVAL_DM]).fetchone()[0]
    assert dms == 1 and get_intent(db, "k1") is None


def test_the_approvers_are_reminded_once_past_halfway_and_never_once_decided(tmp_path):
    db = open_database(tmp_path / "db.sqlite3")
    _create(db, "k1")
    _create(db, "k2", target="number:K2")
    assert remind_due(db, NOW + timedelta(hours=35, minutes=59)) == []
    assert [a.key for a in remind_due(db, NOW + timedelta(hours=36))] == ["k1", "k2"]
    assert remind_due(db, NOW + timedelta(hours=37)) == []  # a second pass: marked already
    assert get_approval(db, "k1").reminded_at == (NOW + timedelta(hours=36)).isoformat(timespec="microseconds")
    reminders = db.execute("SELECT request_id, payload FROM outbox WHERE kind = ?", [outbox.APPROVAL_REMINDER])
    # Only those asked with the buttons (not the channel where the purchase is announced).
    assert sorted(r[0] for r in reminders.fetchall()) == ["approval:k1:U0ANN", "approval:k2:U0ANN"]
    _create(db, "k3", target="number:K3")
    decide(db, "k3", decider="U0ANN", state=ApprovalState.DENIED, reason="no", at=NOW)
    assert remind_due(db, NOW + timedelta(hours=40)) == []
    _create(db, "k4", target="number:K4")  # found only once its time is up: it expires, unreminded
    assert remind_due(db, NOW + timedelta(hours=72)) == []
