"""How the requests of one multi-country form read: a line per country, from the current state.

The same lines make the summary message in the channel (posted once, updated from the outbox as
each request's status changes) and the form's final view.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from bot.domain.numbers import country_name
from bot.domain.statuses import status_badge
from bot.providers.error_records import error_from_record
from bot.providers.infobip.errors import InfobipError
from bot.slack.mrkdwn import escape
from bot.slack.provider_errors import explain
from bot.store.intents import Intent, IntentState, get_intent
from bot.store.request_groups import RequestGroup
from bot.store.requests import get_request


def _refused_why(intent: Intent) -> str:
    outcome = intent.outcome
    if outcome.get("field"):
        return f"an attached file could not be used ({escape(str(outcome['field']))})."
    if outcome.get("not_sent") or outcome.get("not_submitted"):
        return "it did not reach Infobip."
    error = error_from_record(outcome.get("error") or {})
    return explain(error)[0] if isinstance(error, InfobipError) else escape(str(error))


def country_line(db: sqlite_utils.Database, country: str, intent_key: str) -> str:
    """One country's request as it stands: its id, status and thread, or why it was not filed."""
    name = f"*{escape(country_name(country))}*"
    intent = get_intent(db, intent_key)
    request = get_request(db, intent.request_id) if intent is not None and intent.request_id else None
    if request is not None and intent is not None and intent.state != IntentState.REFUSED:
        thread = f" — <{request.permalink}|thread>" if request.permalink else ""
        return f"{name}: request `{request.id}` {status_badge(request.status)}{thread}"
    if intent is None or intent.state == IntentState.INTENDED:
        return f"{name}: :hourglass_flowing_sand: being submitted…"
    if intent.state == IntentState.UNKNOWN:
        return f"{name}: :grey_question: Infobip has not confirmed it yet; its thread appears once it does."
    return f"{name}: :x: not filed: {_refused_why(intent)}"


def lines(db: sqlite_utils.Database, group: RequestGroup) -> list[str]:
    """Every country of the group: its request, and those left out of the form, with why."""
    filed = [country_line(db, member.country, member.intent) for member in group.members]
    left_out = [f"*{escape(country_name(country))}*: left out: {escape(why)}" for country, why in group.refused.items()]
    return filed + left_out


def sender_name(db: sqlite_utils.Database, group: RequestGroup) -> str | None:
    for member in group.members:
        intent = get_intent(db, member.intent)
        if intent is not None:
            return intent.params.get("body", {}).get("senderName")
    return None


def summary_message(db: sqlite_utils.Database, group: RequestGroup) -> dict[str, Any]:
    """The summary message: who asked for which sender, then a line per country."""
    sender = sender_name(db, group)
    what = f"sender *{escape(sender)}*" if sender else "an alphanumeric sender"
    countries = len(group.members) + len(group.refused)
    headline = f"<@{group.requester}> requested {what} in {countries} countries: one request and thread each."
    body = "\n".join(lines(db, group))
    return {
        "text": f"{headline}\n{body}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": headline}},
            {"type": "section", "text": {"type": "mrkdwn", "text": body[:3000]}},
        ],
    }
