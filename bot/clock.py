"""The time the bot's schedules decide by: when a reminder is due, when the reconciler looks,
when a lost submission is given up. One object (Services.clock), so that tests and drills can
move it forward. Records are stamped with the wall clock instead (bot/store/*): a stamp says when
something happened, and moving a test's clock must not rewrite history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        self._offset += delta
