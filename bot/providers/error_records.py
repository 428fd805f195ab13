"""A provider error kept as JSON with an intent's outcome, and the same error again from it.

The person who repeats an action (a double submit, a replay) must be shown the first one's
outcome, worded exactly as the first time; the words are chosen from the error's class and
fields (`bot/slack/provider_errors.py`), so those are what is kept.
"""

from __future__ import annotations

from typing import Any

from bot.providers.cm import client as cm
from bot.providers.infobip import errors as infobip

_CLASSES: dict[str, type[Exception]] = {
    cls.__name__: cls
    for cls in (
        infobip.InfobipError,
        infobip.InfobipAPIError,
        infobip.InfobipNotFound,
        infobip.InfobipRateLimited,
        infobip.InfobipUnknownOutcome,
        infobip.InfobipTransportError,
        infobip.InfobipUnexpectedResponse,
        cm.CmError,
        cm.CmAPIError,
        cm.CmNotFound,
        cm.CmUnknownOutcome,
        cm.CmTransportError,
        cm.CmUnexpectedResponse,
    )
}
_FIELDS = (
    "status",
    "error_code",
    "description",
    "action",
    "violations",
    "resources",
    "operation_id",
    "retry_after",
    "message",
    "operation",
    "reason",
)


def error_record(error: Exception) -> dict[str, Any]:
    record: dict[str, Any] = {"class": type(error).__name__, "text": str(error)}
    for name in _FIELDS:
        if hasattr(error, name):
            record[name] = getattr(error, name)
    return record


def error_from_record(record: dict[str, Any]) -> Exception:
    """The error as it was raised (its class, text and fields); an unknown class as a plain one."""
    cls = _CLASSES.get(str(record.get("class")), infobip.InfobipError)
    error = cls.__new__(cls)
    Exception.__init__(error, str(record.get("text", "")))
    for name in _FIELDS:
        if name in record:
            value = record[name]
            if name in ("violations", "resources"):
                value = [tuple(pair) for pair in value or []]
            setattr(error, name, value)
    return error
