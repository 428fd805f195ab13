"""How the bot's processes log: RESOURCEBOT_LOG_LEVEL and RESOURCEBOT_LOG_FORMAT (`text`, or `json`
for log collectors: one JSON object per line).

The bot never logs a secret on purpose; as a second line of defence, every configured secret
value (each SecretStr setting) is masked in whatever is written, a library's lines included.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

from pydantic import SecretStr

from bot.settings import Settings

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MASK = "[redacted]"
# Shorter values are masked too, but only as whole text: "s" must not eat every letter s.
_SHORTEST_MASKED = 6
# uvicorn configures these with handlers of its own; they are handed back to the root handler.
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def secret_values(settings: Settings) -> list[str]:
    """The values of every SecretStr setting that is set, longest first."""
    values = {
        value.get_secret_value()
        for value in (getattr(settings, name) for name in Settings.model_fields)
        if isinstance(value, SecretStr) and value.get_secret_value()
    }
    return sorted(values, key=len, reverse=True)


class _Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = [s for s in secrets if s]

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if len(secret) >= _SHORTEST_MASKED:
                text = text.replace(secret, MASK)
            elif text == secret:
                text = MASK
        return text


class TextFormatter(logging.Formatter):
    """The classic one-line format, secrets masked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(TEXT_FORMAT)
        self._redact = _Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and `exception`
    (the traceback text) when the record carries one; secrets masked before encoding."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._redact = _Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps({key: self._redact(value) for key, value in entry.items()}, ensure_ascii=False)


class _BotHandler(logging.StreamHandler):
    """Marks the handler configure_logging installed, so a second call replaces only it."""


def configure_logging(level: str = "INFO", log_format: str = "text", secrets: Iterable[str] = ()) -> None:
    """One stderr handler on the root logger, in `log_format`, at `level`."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    secrets = list(secrets)
    handler = _BotHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(secrets) if log_format == "json" else TextFormatter(secrets))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _BotHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())


def configure_from_settings(settings: Settings | None) -> None:
    """From the settings; None (they could not be read: the command reports why) means the defaults."""
    if settings is None:
        configure_logging()
        return
    configure_logging(settings.resourcebot_log_level, settings.resourcebot_log_format, secret_values(settings))


def adopt_uvicorn_loggers() -> None:
    """uvicorn's Config installs its own text handlers on its loggers: drop them, so its lines go
    through the root handler in the chosen format. Call after every uvicorn Config is built."""
    for name in _UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
