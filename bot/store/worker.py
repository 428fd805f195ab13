"""The database, off the event loop: every store function the bot runs goes through one thread
with a connection of its own, so a lock held by another process (a backup, `resourcebot audit`,
a second bot by mistake) stalls that thread, never the loop that answers Slack.

`run(fn, *args)` calls `fn(db, *args)` there and awaits it. What must answer Slack within its
3 seconds passes `budget`: if the thread has not started the call by then (it is waiting on a
lock for another), the call is dropped and StoreBusy raised, and the call itself waits on a lock
for at most `QUICK_BUSY_MS` before giving up the same way. Then the listener can still answer
"try again in a moment" in time, and nothing it asked for has happened.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from bot.store.db import BUSY_TIMEOUT_MS, connect

T = TypeVar("T")
QUICK_BUSY_MS = 1000


class StoreBusy(Exception):
    """The database could not be used in time (another process holds its write lock)."""


def is_locked(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error).lower()


class StoreWorker:
    def __init__(self, path: str | Path) -> None:
        self.path = path
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")

    def _db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = connect(self.path)
        return db

    def _call(self, started: threading.Event, cancelled: threading.Event, busy_ms: int,
              fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
        if cancelled.is_set():
            raise StoreBusy("dropped: its caller stopped waiting")
        started.set()
        db = self._db()
        if busy_ms != BUSY_TIMEOUT_MS:
            db.conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
        try:
            return fn(db, *args, **kwargs)
        except sqlite3.OperationalError as error:
            if is_locked(error) and busy_ms != BUSY_TIMEOUT_MS:
                raise StoreBusy(str(error)) from error
            raise
        finally:
            if busy_ms != BUSY_TIMEOUT_MS:
                db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    async def run(self, fn: Callable[..., T], *args: Any, budget: float | None = None, **kwargs: Any) -> T:
        """`fn(db, *args, **kwargs)` on the store's thread. With `budget` (seconds): StoreBusy
        when it could not start by then or met a lock (see the module docstring)."""
        started, cancelled = threading.Event(), threading.Event()
        busy_ms = QUICK_BUSY_MS if budget is not None else BUSY_TIMEOUT_MS
        future = asyncio.get_running_loop().run_in_executor(
            self._pool, self._call, started, cancelled, busy_ms, fn, args, kwargs)
        if budget is None:
            return await future
        try:
            return await asyncio.wait_for(asyncio.shield(future), budget)
        except TimeoutError:
            if not started.is_set():
                cancelled.set()
                future.add_done_callback(lambda f: f.exception())  # dropped: nobody reads it
                raise StoreBusy("the database is busy") from None
            return await future  # under way: at most QUICK_BUSY_MS more on a lock

    def close(self) -> None:
        def close_connection() -> None:
            db = getattr(self._local, "db", None)
            if db is not None:
                db.close()
                self._local.db = None
        try:
            self._pool.submit(close_connection).result(timeout=10)
        except RuntimeError:
            pass  # already shut down
        self._pool.shutdown(wait=True)
