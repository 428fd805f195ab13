"""What the use cases share: keys from Slack payloads, the audit entry and notice of an outcome."""

from __future__ import annotations

import hashlib
from typing import Any

import sqlite_utils

from bot.providers.error_records import error_record
from bot.store import outbox
from bot.store.audit import record_audit
from bot.store.intents import Intent, IntentState
from bot.store.requests import RequestRecord, get_request


def view_key(view: dict[str, Any]) -> str:
    """One submission of one modal as the person saw it: a double click or a replay sends the
    same view id and hash; the modal shown again after a refusal has a new hash."""
    return f"view:{view.get('id', '')}:{view.get('hash', '')}"


def action_key(body: dict[str, Any]) -> str:
    """One click: the same action_ts in the same message or view, however often it is delivered."""
    action = (body.get("actions") or [{}])[0]
    container = body.get("container") or {}
    where = container.get("message_ts") or container.get("view_id") or ""
    return f"action:{action.get('action_id', '')}:{where}:{action.get('action_ts', '')}"


def sub_key(key: str, part: str) -> str:
    """The key of one step of a person's action that makes several changes (an application
    created on the way to an association)."""
    return hashlib.sha256(f"{key}\x1f{part}".encode()).hexdigest()[:32] + f":{part}"


def request_done(db: sqlite_utils.Database, intent: Intent, state: IntentState) -> RequestRecord | None:
    """For a `finish` step: the intent's request once the intent is done; None when there is
    nothing to record (not done, or the request row is gone)."""
    if state != IntentState.DONE:
        return None
    return get_request(db, intent.request_id or "")


def failed(error: Exception) -> dict[str, Any]:
    """An outcome's record of the provider's error, to word it again for a repeat."""
    return {"error": error_record(error)}


def audit(
    db: sqlite_utils.Database,
    intent: Intent,
    target: str,
    *,
    details: dict[str, Any] | None = None,
    before: Any = None,
    after: Any = None,
    action: str | None = None,
) -> None:
    record_audit(
        db,
        actor=intent.actor,
        action=action or intent.action,
        target=target,
        provider=intent.provider,
        details=details,
        before=before,
        after=after,
        intent=intent.key,
    )


def audit_request(
    db: sqlite_utils.Database, intent: Intent, request: RequestRecord, details: dict[str, Any] | None = None
) -> None:
    """`audit` for a change to one of the bot's requests: the request is the target, and the
    details name the provider's id for it first."""
    audit(db, intent, request.id, details={"providerRequestId": request.provider_request_id, **(details or {})})


def intent_lane(intent: Intent) -> str:
    """The outbox lane of what an intent posts: its request's thread when it has one (so that
    thread keeps its order), else its own."""
    return intent.request_id or f"intent:{intent.key}"


def notify(db: sqlite_utils.Database, intent: Intent) -> None:
    """Queue the channel notice of an intent's outcome (rendered by bot/slack/intent_messages.py),
    when the person's action named a place for it."""
    if not intent.context.get("notice_channel"):
        return
    outbox.enqueue(db, intent_lane(intent), outbox.INTENT_NOTICE, {"intent": intent.key})
