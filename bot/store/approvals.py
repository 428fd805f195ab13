"""Approvals: a change that waits for an approver's decision, stored once, decided once.

`create` inserts the approval (the person's action key is its primary key, so a repeat of the
submission is recognised; a partial unique index keeps one waiting approval per target) with its
audit entry and the Slack posts that ask for a decision, in one transaction. `decide` is a
conditional update of a waiting row: of two approvers clicking at once, of a click and the expiry
job, one decides and the others learn who did. An approval claims its intent in the same
transaction, so the change is then performed exactly once (bot/usecases/runner.py).

A request that waits (a number request, a CM.com order: `request` given to `create`) gets its row
and its thread at once, with the status WAITING_APPROVAL; its decision is told in that thread, and
a denial (or expiry) leaves it APPROVAL_DENIED.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils
from pydantic import BaseModel, Field

from bot.domain.approvals import (
    APPROVAL_DENIED,
    EXPIRED_REASON,
    WAITING_APPROVAL,
    ApprovalState,
    deciders,
    halfway_passed,
)
from bot.domain.approvals import expired as has_expired
from bot.store import outbox
from bot.store.audit import APPROVAL_PREFIX, record_audit
from bot.store.db import write
from bot.store.intents import Intent, claim
from bot.store.records import Table, insert_once
from bot.store.requests import create_request, get_request, update_request

EXPIRY = "expiry"  # who decides an approval that nobody decided in time
REMINDER = "reminder"  # who reminds the approvers halfway to the expiry
HOMES = "homes"  # the outbox lane that re-publishes the Homes of those an approval concerns


class Approval(BaseModel):
    key: str
    action: str
    kind: str
    requester: str
    target: str
    wanted: dict[str, Any] = Field(default_factory=dict)
    summary: dict[str, Any] = Field(default_factory=dict)
    state: ApprovalState
    decided_by: str | None = None
    decided_at: str | None = None
    reason: str | None = None
    created_at: str
    expires_at: str
    reminded_at: str | None = None
    messages: dict[str, dict[str, str]] = Field(default_factory=dict)

    @property
    def what(self) -> str:
        return str(self.summary.get("what") or self.target)

    @property
    def request_id(self) -> str | None:
        """The bot's request whose thread follows it (a number request, a CM.com order), if any."""
        return self.wanted.get("request_id")


@dataclass(frozen=True)
class Created:
    """`first`: this call stored it. Otherwise `approval` is the same action's (a repeat) or, with
    `busy`, the one already waiting on the same target."""

    approval: Approval
    first: bool
    busy: bool = False


@dataclass(frozen=True)
class Decided:
    """`first`: this decision stands. Otherwise `approval` says who decided first. `intent`: the
    intent claimed by an approval; `busy`: another change on the target is under way, nothing decided."""

    approval: Approval
    first: bool
    intent: Intent | None = None
    busy: bool = False


_APPROVALS = Table("approvals", Approval, ("wanted", "summary", "messages"))


def get_approval(db: sqlite_utils.Database, key: str) -> Approval | None:
    return _APPROVALS.first(db, "key = ?", [key])


def waiting_approvals(db: sqlite_utils.Database, kind: str | None = None) -> list[Approval]:
    """The approvals nobody has decided yet, oldest first."""
    if kind is None:
        return _APPROVALS.select(db, "state = ?", [str(ApprovalState.WAITING)], "ORDER BY created_at")
    return _APPROVALS.select(db, "state = ? AND kind = ?", [str(ApprovalState.WAITING), kind], "ORDER BY created_at")


def _lane(key: str, recipient: str) -> str:
    return f"approval:{key}:{recipient}"


def _audit(db: sqlite_utils.Database, approval: Approval, action: str, actor: str, **details: Any) -> None:
    record_audit(
        db,
        actor=actor,
        action=f"{APPROVAL_PREFIX}{action}",
        target=approval.what,
        provider=str(approval.wanted.get("provider") or "infobip"),
        details={"action": approval.action, "requester": approval.requester, **details},
        intent=approval.key,
    )


def create(
    db: sqlite_utils.Database,
    *,
    key: str,
    action: str,
    kind: str,
    requester: str,
    target: str,
    wanted: dict[str, Any],
    summary: dict[str, Any],
    created_at: datetime,
    expires_at: datetime,
    recipients: list[tuple[str, bool]],
    request: dict[str, Any] | None = None,
) -> Created:
    """Store the approval and queue its posts: `recipients` (channel or user id, with buttons or not).
    `request`: the fields of the request row that waits with it (its id is the wanted request_id),
    whose thread is started now."""
    with write(db):
        stored = insert_once(
            db,
            _APPROVALS,
            "INSERT INTO approvals (key, action, kind, requester, target, wanted, summary, state, created_at,"
            " expires_at, messages) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')",
            [
                key,
                action,
                kind,
                requester,
                target,
                json.dumps(wanted),
                json.dumps(summary),
                str(ApprovalState.WAITING),
                created_at.isoformat(timespec="microseconds"),
                expires_at.isoformat(timespec="microseconds"),
            ],
            key=key,
            open_on_target=("target = ? AND state = ?", [target, str(ApprovalState.WAITING)]),
        )
        approval = stored.row
        if not stored.first:
            return Created(approval, first=False, busy=stored.busy)
        if request is not None:
            stamp = created_at.isoformat(timespec="microseconds")
            create_request(db, **request, id=wanted["request_id"], status=WAITING_APPROVAL, status_at=stamp)
            outbox.enqueue_all(db, wanted["request_id"], [(outbox.THREAD_ROOT, None), (outbox.HOME_REFRESH, None)])
        _audit(db, approval, "requested", requester, summary=summary, expiresAt=approval.expires_at)
        for recipient, buttons in recipients:
            outbox.enqueue(
                db, _lane(key, recipient), outbox.APPROVAL_POST, {"approval": key, "to": recipient, "buttons": buttons}
            )
        outbox.enqueue(db, _lane(key, HOMES), outbox.APPROVAL_HOMES, {"approval": key})
    return Created(approval, first=True)


class _TargetBusy(Exception):
    """Another change on the approval's target is under way: the decision is rolled back."""


def decide(
    db: sqlite_utils.Database,
    key: str,
    *,
    decider: str,
    state: ApprovalState,
    reason: str | None,
    at: datetime,
) -> Decided:
    """The first decision on a waiting approval, with its audit entry, its messages updated, and
    (approved) its intent claimed or (denied, expired) the requester told; all in one transaction."""
    try:
        with write(db):
            cursor = db.execute(
                "UPDATE approvals SET state = ?, decided_by = ?, decided_at = ?, reason = ?"
                " WHERE key = ? AND state = ?",
                [str(state), decider, at.isoformat(timespec="microseconds"), reason, key, str(ApprovalState.WAITING)],
            )
            approval = get_approval(db, key)
            if approval is None:
                raise LookupError(f"no approval {key}")
            if cursor.rowcount != 1:
                return Decided(approval, first=False)
            intent = None
            if state == ApprovalState.APPROVED:
                wanted = approval.wanted
                claimed = claim(
                    db,
                    key=key,
                    action=approval.action,
                    target=approval.target,
                    actor=approval.requester,
                    provider=wanted["provider"],
                    params=wanted["params"],
                    # The requester hears of it by DM (runner.commit_outcome): their modal is long closed.
                    context={**wanted["context"], "view_id": None, "approved_by": decider, "approval": key},
                    request_id=wanted.get("request_id"),
                )
                if not claimed.claimed:
                    raise _TargetBusy
                intent = claimed.intent
            else:
                outbox.enqueue(db, _lane(key, approval.requester), outbox.APPROVAL_DM, {"approval": key})
            _tell_thread(db, approval, at)
            _audit(db, approval, str(state), decider, reason=reason)
            for recipient in _recipients(db, key):
                outbox.enqueue(db, _lane(key, recipient), outbox.APPROVAL_UPDATE, {"approval": key, "to": recipient})
            outbox.enqueue(db, _lane(key, HOMES), outbox.APPROVAL_HOMES, {"approval": key})
    except _TargetBusy:
        return Decided(get_approval(db, key), first=False, busy=True)  # type: ignore[arg-type]
    return Decided(approval, first=True, intent=intent)


def _tell_thread(db: sqlite_utils.Database, approval: Approval, at: datetime) -> None:
    """The decision, in the thread of the request that waited for it (in the request's own order);
    denied or expired, the request is closed: it never reaches the provider."""
    request = get_request(db, approval.request_id or "")
    if request is None:
        return
    items: list[tuple[str, dict[str, Any] | None]] = [(outbox.APPROVAL_THREAD, {"approval": approval.key})]
    if approval.state != ApprovalState.APPROVED and request.status == WAITING_APPROVAL:
        update_request(db, request.id, status=APPROVAL_DENIED, status_at=at.isoformat(timespec="microseconds"))
        items += [(outbox.ROOT_UPDATE, None), (outbox.HOME_REFRESH, None)]
    outbox.enqueue_all(db, request.id, items)


def _recipients(db: sqlite_utils.Database, key: str, *, deciders_only: bool = False) -> list[str]:
    """Everyone an approval request was queued for (posted yet or not); `deciders_only`: those
    asked with the buttons (the approval channel or the approvers' DMs)."""
    rows = db.execute(
        "SELECT payload FROM outbox WHERE request_id LIKE ? AND kind = ?", [f"approval:{key}:%", outbox.APPROVAL_POST]
    ).fetchall()
    payloads = [json.loads(row[0]) for row in rows]
    return [p["to"] for p in payloads if p.get("buttons") or not deciders_only]


def expire_due(db: sqlite_utils.Database, now: datetime) -> list[Approval]:
    """Every waiting approval whose time is up, decided as expired (as a denial would be)."""
    expired = []
    for approval in _APPROVALS.select(
        db, "state = ? AND expires_at <= ?", [str(ApprovalState.WAITING), now.isoformat(timespec="microseconds")]
    ):
        decided = decide(db, approval.key, decider=EXPIRY, state=ApprovalState.EXPIRED, reason=EXPIRED_REASON, at=now)
        if decided.first:
            expired.append(decided.approval)
    return expired


def record_message(
    db: sqlite_utils.Database, key: str, recipient: str, channel: str, ts: str, permalink: str | None = None
) -> None:
    """Where the approval request to `recipient` was posted (to update it once decided), and its
    permalink when Slack gave one (the link from `/resource approvals` and the Home tab)."""
    with write(db):
        approval = get_approval(db, key)
        if approval is None:
            return
        posted = {"channel": channel, "ts": ts, **({"permalink": permalink} if permalink else {})}
        messages = {**approval.messages, recipient: posted}
        db.execute("UPDATE approvals SET messages = ? WHERE key = ?", [json.dumps(messages), key])
        if permalink and approval.state == ApprovalState.WAITING:  # the Homes link to it from now on
            outbox.enqueue(db, _lane(key, HOMES), outbox.APPROVAL_HOMES, {"approval": key})


def remind_due(db: sqlite_utils.Database, now: datetime, approvers: Collection[str] = ()) -> list[Approval]:
    """Every waiting approval past half its life and not reminded yet, marked reminded (a
    conditional update: of two passes or two replicas, one reminds) with a reminder queued to each
    approver it asked (the approval channel, or each approver's DM) and its audit entry. A reply in
    a channel's thread notifies nobody: there it mentions `approvers` (as configured: user ids and
    user groups), the requester left out."""
    reminded = []
    stamp = now.isoformat(timespec="microseconds")
    for approval in _APPROVALS.select(db, "state = ? AND reminded_at IS NULL", [str(ApprovalState.WAITING)]):
        expires = datetime.fromisoformat(approval.expires_at)
        if not halfway_passed(datetime.fromisoformat(approval.created_at), expires, now) or has_expired(expires, now):
            continue  # not due yet; or due to expire (the next pass does it): a reminder would come too late
        with write(db):
            cursor = db.execute(
                "UPDATE approvals SET reminded_at = ? WHERE key = ? AND state = ? AND reminded_at IS NULL",
                [stamp, approval.key, str(ApprovalState.WAITING)],
            )
            if cursor.rowcount != 1:
                continue
            mentions = deciders(approval.requester, approvers)
            for recipient in _recipients(db, approval.key, deciders_only=True):
                in_channel = recipient[0] not in "UW"
                payload = {"approval": approval.key, "to": recipient, **({"mentions": mentions} if in_channel else {})}
                outbox.enqueue(db, _lane(approval.key, recipient), outbox.APPROVAL_REMINDER, payload)
            _audit(db, approval, "reminded", REMINDER)
        reminded.append(approval)
    return reminded
