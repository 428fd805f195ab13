"""Drill: another process holds SQLite's write lock (a backup, `resourcebot audit` by mistake, a
second bot). A webhook that cannot commit within the busy timeout is answered 503 with
Retry-After, never 500, and is taken when it comes again; nothing is lost or doubled."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timezone

from tests.drills.support import seed_requests
from tests.e2e.conftest import CHANNEL, status_webhook


def test_a_webhook_during_a_long_lock_is_asked_for_again_and_then_taken_once(world):
    [request] = seed_requests(world.services.db, world.slack, [CHANNEL], 1)
    body = status_webhook(request.provider_request_id, "UPDATE_REQUESTED", datetime.now(timezone.utc),
                          note="drill:lock")
    lock = sqlite3.connect(world.services.settings.resourcebot_db, timeout=1, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # held past the bot's 5 s busy timeout
    try:
        started = time.monotonic()
        refused = world.post_webhook(body)
        assert refused.status_code == 503, refused.text
        assert refused.headers["Retry-After"] == "5" and 4.5 < time.monotonic() - started < 8
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    taken = world.post_webhook(body)  # Infobip sends it again
    assert taken.status_code == 200 and taken.json()["outcomes"] == ["applied"]
    again = world.post_webhook(body)
    assert again.json()["outcomes"] == ["duplicate"]
    world.wait_idle()
    replies = [m for m in world.thread(world.request(request.id))[1:] if "drill:lock" in str(m)]
    assert len(replies) == 1
