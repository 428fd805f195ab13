"""What Slack is answered when a listener cannot read what came back from Slack.

A modal's `private_metadata` and an action's `value` are written by the bot, but they come back
through Slack: a modal opened before an upgrade carries the old shape, and anything can be
forged by whoever holds the signing secret. Reading them (bot/slack/middleware.py does, before the
listener runs) raises ValueError (pydantic's ValidationError and JSON errors are ValueErrors);
unhandled, Bolt answers 500 and Slack shows "We had some trouble connecting". Instead: a submitted
modal is replaced by a short note to start again, anything else is acknowledged, and the error is
logged. Every other error is logged and left as Bolt answers it, as a bug should be.
"""

from __future__ import annotations

import json
import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.services import Services
from bot.slack.views import message_view
from bot.store.worker import StoreBusy, is_locked

log = logging.getLogger("bot.slack.errors")


async def unreadable_input(error: Exception, body: dict, response: BoltResponse | None) -> BoltResponse | None:
    kind = body.get("type") or ("slash_command" if "command" in body else "request")
    if isinstance(error, StoreBusy) or is_locked(error):
        return _busy(kind, body, response, error)
    if response is None or not isinstance(error, ValueError):  # after the ack, or not an input problem
        log.error("listener failed on a %s: %s", kind, error, exc_info=error)
        return None
    log.warning("could not read a %s that came back from Slack: %s", kind, error, exc_info=error)
    if kind == "view_submission":
        view = message_view(
            "Out of date",
            "This form can no longer be read.",
            ["Close it and start again with `/resource`: nothing was sent."],
        )
        return BoltResponse(
            status=200,
            body=json.dumps({"response_action": "update", "view": view}),
            headers={"content-type": "application/json"},
        )
    return BoltResponse(status=200, body="")


BUSY_TEXT = "The bot's database is busy for a moment: nothing was done. Try again in a few seconds."


def _busy(kind: str, body: dict, response: BoltResponse | None, error: Exception) -> BoltResponse | None:
    """The database was locked (by another process) where the listener needed it before its ack:
    say so in time and do nothing (bot/store/worker.py)."""
    log.warning("the database was busy on a %s: %s", kind, error)
    if response is None:  # acked already: the person sees the modal or message it acked with
        return None
    if kind == "view_submission":
        inputs = [
            b["block_id"]
            for b in (body.get("view") or {}).get("blocks") or []
            if b.get("type") == "input" and b.get("block_id")
        ]
        if inputs:  # the form stays as filled in, with the reason under its first field
            return BoltResponse(
                status=200,
                body=json.dumps({"response_action": "errors", "errors": {inputs[0]: BUSY_TEXT}}),
                headers={"content-type": "application/json"},
            )
        view = message_view("Try again", BUSY_TEXT)
        return BoltResponse(
            status=200,
            body=json.dumps({"response_action": "update", "view": view}),
            headers={"content-type": "application/json"},
        )
    if kind == "slash_command":
        return BoltResponse(
            status=200,
            body=json.dumps({"response_type": "ephemeral", "text": BUSY_TEXT}),
            headers={"content-type": "application/json"},
        )
    return BoltResponse(status=200, body="")


def register(app: AsyncApp, services: Services) -> None:
    app.error(unreadable_input)
