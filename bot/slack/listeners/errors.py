"""What Slack is answered when a listener cannot read what came back from Slack.

A modal's `private_metadata` and an action's `value` are written by the bot, but they come back
through Slack: a modal opened before an upgrade carries the old shape, and anything can be
forged by whoever holds the signing secret. Reading them raises ValueError (pydantic's
ValidationError and JSON errors are ValueErrors); unhandled, Bolt answers 500 and Slack shows
"We had some trouble connecting". Instead: a submitted modal is replaced by a short note to start
again, anything else is acknowledged, and the error is logged. Every other error is logged and
left as Bolt answers it, as a bug should be.
"""

from __future__ import annotations

import json
import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.services import Services
from bot.slack.views import message_view

log = logging.getLogger("bot.slack.errors")


def register(app: AsyncApp, services: Services) -> None:
    @app.error
    async def unreadable_input(error: Exception, body: dict, response: BoltResponse | None) -> BoltResponse | None:
        kind = body.get("type") or ("slash_command" if "command" in body else "request")
        if response is None or not isinstance(error, ValueError):  # after the ack, or not an input problem
            log.error("listener failed on a %s: %s", kind, error, exc_info=error)
            return None
        log.warning("could not read a %s that came back from Slack: %s", kind, error, exc_info=error)
        if kind == "view_submission":
            view = message_view("Out of date", "This form can no longer be read.",
                               ["Close it and start again with `/resource`: nothing was sent."])
            return BoltResponse(status=200, body=json.dumps({"response_action": "update", "view": view}),
                                headers={"content-type": "application/json"})
        return BoltResponse(status=200, body="")
