"""The state of the bot's link to Slack, as `/readyz` reports it and the log tells it.

Whoever owns the transport keeps it: the Socket Mode supervisor (bot/slack/socket_mode.py) or,
over HTTP, the auth.test watch (bot/slack/auth_watch.py). A state is logged when it changes, once:
a retry that meets the same trouble again says nothing, so an outage of hours is a few lines.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field

log = logging.getLogger("bot.slack.link")

HTTP, SOCKET_MODE = "http", "socket_mode"
STARTING = "starting"
CONNECTED = "connected"  # Socket Mode: Slack said hello on a live connection
VERIFIED = "verified"  # HTTP: auth.test answered for the bot token
RECONNECTING = "reconnecting"  # Socket Mode: the connection went (or Slack asked for a new one)
UNREACHABLE = "unreachable"  # no answer, or not one that says the token is wrong
REFUSED = "refused"  # Slack answered that the token is not good
READY_STATES = frozenset({CONNECTED, VERIFIED})
# Web API answers that no retry will change: the token itself is not good.
TOKEN_REFUSALS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
        "missing_scope",
        "no_permission",
        "access_denied",
        "forbidden_team",
    }
)


@dataclass
class SlackLink:
    transport: str
    state: str = STARTING
    detail: str = "not connected yet"
    since: float = field(default_factory=time.monotonic)

    @property
    def ready(self) -> bool:
        return self.state in READY_STATES

    def change(self, state: str, detail: str, *, level: int = logging.WARNING) -> bool:
        """Move to `state`; log it (at `level`) only when the state is a new one. True if it was."""
        self.detail = detail
        if state == self.state:
            return False
        was, lasted = self.state, time.monotonic() - self.since
        self.state, self.since = state, time.monotonic()
        if state in READY_STATES and was != STARTING:
            log.info("Slack link %s: %s (after %.0f s %s)", state, detail, lasted, was)
        else:
            log.log(level if state not in READY_STATES else logging.INFO, "Slack link %s: %s", state, detail)
        return True

    def as_json(self) -> dict:
        return {
            "ready": self.ready,
            "transport": self.transport,
            "state": self.state,
            "detail": self.detail,
            "for_seconds": round(time.monotonic() - self.since, 1),
        }


@dataclass
class Backoff:
    """Seconds to wait before attempt n (0-based): none before the first, then doubling from
    `first` up to `cap`, each with ±20% jitter so that many bots do not retry in step."""

    first: float = 1.0
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        if attempt <= 0:
            return 0.0
        return min(self.cap, self.first * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)
