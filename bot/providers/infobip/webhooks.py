"""Parse the webhooks Infobip sends about resource requests.

Both events arrive as `{"results": [...]}` and one body may carry several results, mixed:

- `RESOURCE_REQUEST_STATUS_UPDATE` → StatusChange (only for UPDATE_REQUESTED*, REJECTED, COMPLETED)
- `RESOURCE_REQUEST_REMINDER` → Reminder (`daysUntilRejection`, after 3, 15 and 27 idle days)

Authenticating the call is the web layer's job; this module only reads the body.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from bot import bounded_json
from bot.providers.infobip.models import RegistrationEvent, Reminder, StatusChange

logger = logging.getLogger("bot.providers.infobip")


class WebhookParseError(ValueError):
    """The body is not a resource-request webhook: bad JSON, wrong shape or invalid fields."""


_MODELS: dict[str, type[StatusChange] | type[Reminder]] = {
    RegistrationEvent.RESOURCE_REQUEST_STATUS_UPDATE: StatusChange,
    RegistrationEvent.RESOURCE_REQUEST_REMINDER: Reminder,
}


def parse_webhook(body: bytes | str | dict[str, Any]) -> list[StatusChange | Reminder]:
    """The status changes and reminders in one webhook body, in the order sent.

    Each result is read by its `event` name. Results of other REGISTRATION events (a
    subscription may include them) are skipped with a log line rather than failed: an error
    answer would only make Infobip send them again.
    """
    data = _load(body)
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise WebhookParseError('expected a JSON object with a "results" list')
    parsed: list[StatusChange | Reminder] = []
    for index, result in enumerate(results):
        if not isinstance(result, dict):
            raise WebhookParseError(f"results[{index}] is not an object")
        event = result.get("event")
        if not isinstance(event, str):
            raise WebhookParseError(f"results[{index}] has no event name")
        model = _MODELS.get(event)
        if model is None:
            logger.warning("Skipping Infobip webhook result with unexpected event %r", event)
            continue
        try:
            valid = model.model_validate(result)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise WebhookParseError(
                f"results[{index}] is not a valid {model.__name__}: {where}: {first['msg']}"
            ) from exc
        valid.keep_as_sent(result)
        parsed.append(valid)
    return parsed


def _load(body: bytes | str | dict[str, Any]) -> Any:
    if isinstance(body, dict):
        return body
    try:
        return bounded_json.loads(body)
    except (ValueError, TypeError) as exc:  # UnicodeDecodeError and TooDeep are ValueErrors
        raise WebhookParseError(f"the body is not JSON: {exc}") from exc
