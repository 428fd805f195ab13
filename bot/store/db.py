"""Opening the SQLite database and bringing its schema up to date (numbered migrations)."""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlite_utils


def _m001_requests_events_outbox(db: sqlite_utils.Database) -> None:
    db.table("requests").create(
        {
            "id": str,  # the bot's own id, shown to users (short, stable)
            "provider": str,  # "infobip" | "cm"
            "provider_request_id": str,  # the provider's id once known
            "kind": str,  # ALPHANUMERIC_REGISTRATION | NUMBER_PURCHASE | ...
            "country": str,
            "sender_name": str,
            "number_type": str,
            "capabilities": str,  # JSON list
            "quantity": int,
            "requester": str,  # Slack user id
            "channel": str,  # the thread: channel + root message ts
            "thread_ts": str,
            "status": str,
            "status_at": str,  # when the provider says the current status began
            "submitted": str,  # JSON: requirements and fixed fields as last sent
            "files": str,  # JSON: {requirement key: [file names]}
            "feedback": str,  # JSON: reviewer feedback for the current status
            "note": str,
            "numbers": str,  # JSON: procured numbers
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"provider", "kind", "requester", "status", "created_at", "updated_at"},
    )
    db.table("requests").create_index(["provider", "provider_request_id"], unique=True)
    db.table("requests").create_index(["requester", "created_at"])

    # Every provider event once: the dedupe key makes a repeated webhook a no-op.
    db.table("events").create(
        {
            "dedupe_key": str,
            "request_id": str,
            "kind": str,  # status | reminder
            "status": str,
            "occurred_at": str,
            "payload": str,
            "became_current": int,  # 0 when recorded but older than the shown status
            "received_at": str,
        },
        pk="dedupe_key",
        foreign_keys=[("request_id", "requests", "id")],
    )
    db.table("events").create_index(["request_id", "occurred_at"])

    # Slack deliveries waiting to happen, in order per request; retried until they succeed.
    db.table("outbox").create(
        {
            "id": int,
            "request_id": str,
            "kind": str,  # one of the kinds named in bot/store/outbox.py
            "payload": str,  # JSON
            "attempts": int,
            "next_attempt_at": float,  # unix time
            "last_error": str,
            "created_at": str,
            "delivered_at": str,
        },
        pk="id",
        not_null={"kind", "payload", "attempts", "next_attempt_at", "created_at"},
    )
    db.table("outbox").create_index(["delivered_at", "request_id", "id"])


def _m002_form_drafts(db: sqlite_utils.Database) -> None:
    # What a modal needs between open and submit that does not fit private_metadata: the
    # requirements it was built from and the values of pages already submitted.
    db.table("form_drafts").create(
        {
            "key": str,
            "user": str,
            "requirements": str,  # JSON: the requirements lookup answer
            "values": str,  # JSON: validated values of earlier pages
            "prefill": str,  # JSON: values sent before (update flow)
            "feedback": str,  # JSON: reviewer feedback by key (update flow)
            "labels": str,  # JSON: requirement key -> name, for thread messages
            "created_at": str,
        },
        pk="key",
    )


def _m003_audit_log(db: sqlite_utils.Database) -> None:
    # Every change made through the bot that costs money or moves traffic: purchases and
    # cancellations of numbers, associations, applications, entities, inbound routing.
    db.table("audit_log").create(
        {
            "id": int,
            "at": str,  # ISO time, UTC
            "actor": str,  # Slack user id
            "action": str,  # e.g. number.purchase, association.create
            "target": str,  # what it was done to (a number, a resource, an application id)
            "provider": str,
            "details": str,  # JSON: price, application, entity, ...
            "before": str,  # JSON or null
            "after": str,  # JSON or null
        },
        pk="id",
        not_null={"at", "actor", "action", "target"},
    )
    db.table("audit_log").create_index(["at"])
    db.table("audit_log").create_index(["action", "at"])


def _m004_home_and_reminders(db: sqlite_utils.Database) -> None:
    # The thread's permalink (read once after posting the root) for links from App Home, and
    # when the requester was last reminded, so that there is at most one reminder a day.
    db.table("requests").add_column("permalink", str)
    db.table("requests").add_column("last_reminded_at", str)
    # What each user's App Home shows (scope, filter, page), so a refresh keeps it.
    db.table("home_views").create({"user": str, "state": str, "updated_at": str}, pk="user")


def _m005_callback_tokens(db: sqlite_utils.Database) -> None:
    # CM.com requests are linked to their callbacks by an unguessable token in the callback URL:
    # the create answer carries no id, and callbacks carry no signature.
    db.table("requests").add_column("callback_token", str)
    db.table("requests").create_index(["callback_token"], unique=True)


def _m006_outbox_maybe_posted(db: sqlite_utils.Database) -> None:
    # 1 while a post for this item may have reached Slack unconfirmed (sent, then a crash or a
    # lost answer): the next attempt looks for it in the channel before posting (slack/post_once.py).
    db.table("outbox").add_column("maybe_posted", int, not_null_default=0)


def _m007_unconfirmed_submissions(db: sqlite_utils.Database) -> None:
    # When a submission whose answer was lost was sent: the reconciler looks for a request made
    # at or after it (jobs/reconciler.py); NULL for requests whose submission was confirmed.
    db.table("requests").add_column("submission_attempted_at", str)


def _m008_intents(db: sqlite_utils.Database) -> None:
    # Every change at a provider, written down (and committed) before the call is made: the
    # person's one action under its idempotency key, what it acts on, what the provider said.
    # See bot/usecases/intents.py.
    db.table("intents").create(
        {
            "key": str,  # the idempotency key: one per action of a person
            "action": str,  # e.g. number.purchase, request.submit
            "target": str,  # what it acts on: one open intent per target at a time
            "actor": str,  # Slack user id
            "provider": str,
            "state": str,  # intended | done | refused | unknown
            "open": int,  # 1 until the outcome is known (intended, unknown)
            "params": str,  # JSON: what is sent; enough to read the truth back
            "context": str,  # JSON: where the person is (view, channel) to report to
            "outcome": str,  # JSON: what the provider answered, as shown to the person
            "request_id": str,  # the bot's request it concerns, when there is one
            "owner": str,  # the process performing it (its boot id)
            "attempted_at": str,  # when the provider call was sent (NULL: not sent yet)
            "resolved_by": str,  # call | recovery
            "created_at": str,
            "updated_at": str,
            "settled_at": str,
        },
        pk="key",
        not_null={"action", "target", "actor", "provider", "state", "open", "params", "created_at", "updated_at"},
    )
    db.execute("CREATE UNIQUE INDEX intents_one_open_per_target ON intents (target) WHERE open = 1")
    db.table("intents").create_index(["open", "created_at"])
    db.table("intents").create_index(["request_id"])
    db.table("audit_log").add_column("intent", str)
    # Events API deliveries already handled, by event_id: Slack's retries change nothing.
    db.table("slack_events_seen").create({"event_id": str, "seen_at": str}, pk="event_id")


def _m009_approvals(db: sqlite_utils.Database) -> None:
    # A change that waits for an approver's decision (bot/store/approvals.py): what was asked, by the
    # key its intent gets once approved; decided once (the first decision wins). At most one
    # waiting approval per target.
    db.table("approvals").create(
        {
            "key": str,  # the idempotency key of the person's action, and of its intent once approved
            "action": str,  # the intent's action, e.g. number.purchase
            "kind": str,  # what RESOURCEBOT_APPROVAL_FOR calls it, e.g. purchase
            "requester": str,  # Slack user id
            "target": str,
            "wanted": str,  # JSON: the intent to claim once approved (params, context, provider)
            "summary": str,  # JSON: what the approvers are shown (what, where, why, cost)
            "state": str,  # waiting | approved | denied | expired
            "decided_by": str,
            "decided_at": str,
            "reason": str,
            "created_at": str,
            "expires_at": str,  # on the bot's clock (bot/clock.py)
            "reminded_at": str,
            "messages": str,  # JSON: {recipient: {"channel", "ts"}} of the posted requests
        },
        pk="key",
        not_null={"action", "kind", "requester", "target", "wanted", "summary", "state", "created_at", "expires_at"},
    )
    db.execute("CREATE UNIQUE INDEX approvals_one_waiting_per_target ON approvals (target) WHERE state = 'waiting'")
    db.table("approvals").create_index(["state", "expires_at"])


def _m010_profiles(db: sqlite_utils.Database) -> None:
    # Company profiles (bot/store/profiles.py): requirement values and documents filled once and
    # offered in every request form. Names are unique regardless of case.
    db.table("profiles").create(
        {
            "id": str,
            "name": str,
            "name_key": str,  # the name folded (case, spaces): what makes it unique
            "profile_values": str,  # JSON: requirement key (or fixed field) -> value as sent
            "documents": str,  # JSON: requirement key -> [{name, documentId, uploadedAt, validUntil}]
            "created_by": str,
            "created_at": str,
            "updated_by": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"name", "name_key", "profile_values", "documents", "created_at", "updated_at"},
    )
    db.table("profiles").create_index(["name_key"], unique=True)


def _m011_request_groups(db: sqlite_utils.Database) -> None:
    # Requests filed together from one multi-country form (bot/store/request_groups.py): the
    # submission's intent per country, and the summary message that lists them.
    db.table("request_groups").create(
        {
            "id": str,
            "requester": str,
            "channel": str,  # where the summary goes: where the threads are
            "members": str,  # JSON: [{"country": CC, "intent": intent key}] in the form's order
            "refused": str,  # JSON: {CC: why} countries whose lookup refused, left out of the form
            "message_channel": str,  # the posted summary (NULL until posted)
            "message_ts": str,
            "created_at": str,
        },
        pk="id",
        not_null={"requester", "members", "created_at"},
    )
    db.table("request_group_members").create(
        {"intent": str, "group_id": str},
        pk="intent",
        not_null={"group_id"},
    )


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _m001_requests_events_outbox,
    _m002_form_drafts,
    _m003_audit_log,
    _m004_home_and_reminders,
    _m005_callback_tokens,
    _m006_outbox_maybe_posted,
    _m007_unconfirmed_submissions,
    _m008_intents,
    _m009_approvals,
    _m010_profiles,
    _m011_request_groups,
]

# Who this process is, for the intents it performs: one left open by another boot was cut off.
_boot_id = secrets.token_hex(8)


def boot_id() -> str:
    return _boot_id


def adopt_boot_id(value: str) -> None:
    """The store's own process (bot/store/process.py) writes for the bot's: it takes the bot's id."""
    global _boot_id
    _boot_id = value


class WriterGone(Exception):
    """The bot this store writes for is gone (bot/store/process.py): nothing more is committed."""


_may_write: Callable[[], bool] = lambda: True  # noqa: E731 - replaced in the store's process


def guard_writes(may_write: Callable[[], bool]) -> None:
    """Asked each time the write lock is taken; False: the lock is given back, WriterGone raised."""
    global _may_write
    _may_write = may_write


def begin_write(db: sqlite_utils.Database) -> None:
    """BEGIN IMMEDIATE: the write lock, within the busy timeout, for a writer still wanted."""
    db.conn.execute("BEGIN IMMEDIATE")
    if not _may_write():
        db.conn.rollback()
        raise WriterGone("the bot this store writes for is gone")


@contextlib.contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction taken at once (BEGIN IMMEDIATE), so that the busy timeout applies to
    it: a deferred one that reads first and then writes gives up at once on a lock. Inside another
    transaction it is a savepoint of that one."""
    if db.conn.in_transaction:
        # A savepoint may reuse a name: ROLLBACK TO and RELEASE take the innermost one of it.
        db.conn.execute("SAVEPOINT nested_write")
        try:
            yield db
        except BaseException:
            if db.conn.in_transaction:  # an error may have ended the whole transaction already
                db.conn.execute("ROLLBACK TO SAVEPOINT nested_write")
                db.conn.execute("RELEASE SAVEPOINT nested_write")
            raise
        db.conn.execute("RELEASE SAVEPOINT nested_write")
        return
    begin_write(db)
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        try:
            db.conn.execute("COMMIT")
        except BaseException:
            db.conn.rollback()
            raise


BUSY_TIMEOUT_MS = 5000


def connect(path: str | Path) -> sqlite_utils.Database:
    """A connection to the database at `path` (which must exist, migrated), set up as the bot
    uses it: WAL, foreign keys, the busy timeout."""
    conn = sqlite3.connect(str(path), check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.enable_wal()
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = NORMAL")  # durable across a process crash in WAL mode
    return db


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, in WAL mode, fully migrated."""
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    migrate(db)
    return db


def migrate(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    current = row[0] or 0
    for number, migration in enumerate(MIGRATIONS, start=1):
        if number <= current:
            continue
        with db.atomic():
            migration(db)
            db.execute("INSERT INTO schema_version (version) VALUES (?)", [number])
