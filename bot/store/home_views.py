"""What each user's App Home shows (scope, filter, page), kept so a refresh doesn't reset it."""

from __future__ import annotations

import sqlite_utils

from bot.store.requests import now_iso


def load_home_state(db: sqlite_utils.Database, user: str) -> str | None:
    row = db.execute("SELECT state FROM home_views WHERE user = ?", [user]).fetchone()
    return row[0] if row else None


def save_home_state(db: sqlite_utils.Database, user: str, state: str) -> None:
    db.table("home_views").upsert({"user": user, "state": state, "updated_at": now_iso()}, pk="user")


def users_watching_everyone(db: sqlite_utils.Database) -> list[str]:
    """Users (admins) whose Home shows all requests: they see anyone's change."""
    return [
        row[0]
        for row in db.execute("SELECT user, state FROM home_views").fetchall()
        if '"scope":"all"' in row[1].replace(" ", "")
    ]
