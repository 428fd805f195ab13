"""Over HTTP, Slack is usable when the bot token works: auth.test at start-up, then now and then.

Slack reaches the bot on its own over HTTP, so the one thing to know is whether the bot can answer
back through the Web API. `watch_auth` keeps `link` (bot/slack/link.py) saying so for `/readyz`:
a refused token is logged once, naming SLACK_BOT_TOKEN; an unreachable Slack once per change, and
retried with backoff until it answers.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.link import REFUSED, TOKEN_REFUSALS, UNREACHABLE, VERIFIED, Backoff, SlackLink

RECHECK_SECONDS = 300.0
CALL_SECONDS = 10.0


async def watch_auth(
    client: AsyncWebClient, link: SlackLink, *, recheck_seconds: float = RECHECK_SECONDS, backoff: Backoff | None = None
) -> None:
    """auth.test now and every `recheck_seconds` (sooner, with backoff, while it fails); until cancelled."""
    backoff = backoff or Backoff(first=1.0, cap=60.0)
    failures = 0
    while True:
        try:
            answer = await asyncio.wait_for(client.auth_test(), CALL_SECONDS)
        except SlackApiError as error:
            code = error.response.data.get("error") if isinstance(error.response.data, dict) else None
            failures += 1
            if code in TOKEN_REFUSALS:
                link.change(
                    REFUSED,
                    f"SLACK_BOT_TOKEN was refused by Slack ({code}): copy the Bot User OAuth "
                    "Token of the installed app",
                    level=logging.ERROR,
                )
                await asyncio.sleep(recheck_seconds)
                continue
            link.change(UNREACHABLE, f"auth.test answered {error.response.status_code} {code or ''}".strip())
        except Exception as error:  # noqa: BLE001 - no answer at all: Slack is not reachable from here
            failures += 1
            link.change(UNREACHABLE, f"auth.test failed ({type(error).__name__}: {error}); retrying with backoff")
        else:
            failures = 0
            link.change(VERIFIED, f"the bot token works (@{answer.get('user')} in {answer.get('team')})")
            await asyncio.sleep(recheck_seconds)
            continue
        await asyncio.sleep(backoff.delay(failures))
