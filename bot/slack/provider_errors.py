"""Provider failures in plain words, each provider named, for a modal or an ephemeral reply (mrkdwn-safe)."""

from __future__ import annotations

from bot.providers.cm.client import CmAPIError, CmError, CmTransportError, CmUnknownOutcome
from bot.providers.infobip.errors import (
    InfobipAPIError,
    InfobipError,
    InfobipRateLimited,
    InfobipTransportError,
    InfobipUnknownOutcome,
)
from bot.slack.mrkdwn import escape, escape_truncated


def explain(error: Exception) -> tuple[str, list[str]]:
    """(headline, detail lines) for an error from a provider call."""
    if isinstance(error, InfobipRateLimited):
        return (
            "Infobip is busy right now (too many requests).",
            ["Wait a few seconds and try again; nothing was changed."],
        )
    if isinstance(error, InfobipUnknownOutcome):
        return (
            "Infobip did not confirm in time whether it took this.",
            [
                "Please don't send it again yet: the bot will check with Infobip and post what it finds.",
                escape_truncated(str(error), 500),
            ],
        )
    if isinstance(error, InfobipTransportError):
        return ("Infobip could not be reached.", ["Nothing was sent. Try again in a minute."])
    if isinstance(error, InfobipAPIError):
        headline = escape_truncated(error.description or f"Infobip answered {error.status}.", 500)
        details = [
            f"• *{escape(prop)}*: {escape_truncated(text, 300)}" if prop else f"• {escape_truncated(text, 300)}"
            for prop, text in error.violations
        ][:10]
        if error.action:
            details.append(f"What to do: {escape_truncated(error.action, 500)}")
        if error.error_code:
            details.append(f"Infobip error code `{escape(error.error_code)}`")
        return headline, details
    if isinstance(error, InfobipError):
        return escape_truncated(str(error), 500), []
    if isinstance(error, CmUnknownOutcome):
        return (
            "CM.com did not confirm in time whether it took this.",
            ["Please don't send it again yet: the bot will check with CM.com and post what it finds."],
        )
    if isinstance(error, CmTransportError):
        return ("CM.com could not be reached.", ["Nothing was sent. Try again in a minute."])
    if isinstance(error, CmAPIError):
        return escape_truncated(error.message or f"CM.com answered {error.status}.", 500), []
    if isinstance(error, CmError):
        return escape_truncated(str(error), 500), []
    return "Something went wrong on our side.", ["The bot's log has the details."]
