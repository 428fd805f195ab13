"""The database, off the event loop: every store function the bot runs goes through one thread
with a connection of its own, so a lock held by another process (a backup, `resourcebot audit`,
a second bot by mistake) stalls that thread, never the loop that answers Slack.

`run(fn, *args)` calls `fn(db, *args)` there and awaits it. What must answer Slack within its
3 seconds passes `budget`: if the thread has not started the call by then (it is waiting on a
lock for another), the call is dropped and StoreBusy raised, and the call itself waits on a lock
for at most `QUICK_BUSY_MS` before giving up the same way. Then the listener can still answer
"try again in a moment" in time, and nothing it asked for has happened.

Group commit: calls that queue up while the thread is busy (a webhook burst) run together in one
transaction, each in a savepoint of its own, and each caller hears back only once that
transaction is committed. A call that fails rolls back its own savepoint and nothing else, so to
each caller it is as if its call ran alone; the burst pays for one commit instead of one each.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

import sqlite_utils

from bot.store.db import BUSY_TIMEOUT_MS, begin_write, connect

T = TypeVar("T")
QUEUED, STARTED, DROPPED = "queued", "started", "dropped"
QUICK_BUSY_MS = 1000
# Calls committed together at most. A call that comes while a group runs waits for that group and
# then its own: smaller groups answer sooner, and a commit here costs little (WAL, synchronous=NORMAL,
# its pages written either way). 8 took ~8% more webhooks/s than 64 at 16 senders (bench ingest).
MAX_GROUP = 8
CHECKPOINT_EVERY = 0.25  # seconds between checkpoints at most, while there are writes


class Store(Protocol):
    """What the bot needs of its store: StoreWorker (a thread), or StoreProcess (bot/store/process.py)."""

    async def run(self, fn: Callable[..., T], *args: Any, budget: float | None = None, **kwargs: Any) -> T: ...

    def close(self) -> None: ...

    def answers_on_this_loop(self) -> contextlib.AbstractContextManager[None]:
        """The server's loop, while it serves: where the store may hand its answers in."""
        ...


class StoreBusy(Exception):
    """The database could not be used in time (another process holds its write lock)."""


def is_locked(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error).lower()


@dataclass
class Call:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    busy_ms: int
    loop: asyncio.AbstractEventLoop | None = None  # None: handed back by other means (see hand_back)
    future: asyncio.Future[Any] | None = None
    token: int = 0  # the caller's name for it, when it comes from another process
    state: str = QUEUED  # QUEUED → STARTED on the thread, or → DROPPED by a caller out of budget
    result: Any = None
    error: BaseException | None = None

    def settle(self) -> None:
        """On the loop: hand the caller its result (unless it stopped waiting)."""
        if self.future is None or self.future.done():
            return
        if self.error is not None:
            self.future.set_exception(self.error)
        else:
            self.future.set_result(self.result)


class StoreWorker:
    """`hand_back(group)` is called on the store thread with each group of finished calls; by
    default each call's result is handed to its caller's event loop."""

    def __init__(self, path: str | Path, hand_back: Callable[[list[Call]], None] | None = None) -> None:
        self.path = path
        self._hand_back = hand_back or _to_loops
        self._db: sqlite_utils.Database | None = None
        self._calls: queue.SimpleQueue[Call | None] = queue.SimpleQueue()
        self._state_lock = threading.Lock()  # a call is either started or dropped, never both
        self._wrote = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._serve, name="store", daemon=True)
        self._checkpointer = threading.Thread(target=self._checkpoint, name="store-checkpoint", daemon=True)
        self._thread.start()
        self._checkpointer.start()

    # -- on the store thread --------------------------------------------------------------------

    def _serve(self) -> None:
        waiting: list[Call | None] = []  # taken from the queue, not run yet (None: stop after the rest)
        while True:
            call = waiting.pop() if waiting else self._calls.get()
            if call is None:
                break
            group = [call]
            # Quick calls keep their own short busy timeout: they run alone.
            while call.busy_ms == BUSY_TIMEOUT_MS and len(group) < MAX_GROUP:
                try:
                    more = self._calls.get_nowait()
                except queue.Empty:
                    break
                if more is None or more.busy_ms != BUSY_TIMEOUT_MS:
                    waiting.append(more)
                    break
                group.append(more)
            if len(group) == 1:
                self._run_alone(call)
            else:
                self._run_together(group)
            self._wrote.set()
            self._hand_back(group)
        if self._db is not None:
            self._db.close()
            self._db = None

    def _connection(self) -> sqlite_utils.Database:
        if self._db is None:
            self._db = connect(self.path)
            self._db.conn.execute("PRAGMA wal_autocheckpoint = 0")  # the checkpointer's job
        return self._db

    def _checkpoint(self) -> None:
        """On its own thread and connection: a PASSIVE checkpoint (it waits for nobody) after writes."""
        conn: sqlite3.Connection | None = None
        while not self._closing:
            if not self._wrote.wait(timeout=1.0):
                continue
            self._wrote.clear()
            try:
                conn = conn or connect(self.path).conn
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass  # locked or busy: the next round does it
            time.sleep(CHECKPOINT_EVERY)
        if conn is not None:
            conn.close()

    def _start(self, call: Call) -> bool:
        with self._state_lock:
            if call.state == DROPPED:
                call.error = StoreBusy("dropped: its caller stopped waiting")
                return False
            call.state = STARTED
            return True

    def drop(self, call: Call) -> bool:
        """Drop a call not started yet (its caller stopped waiting: on the loop, or the store
        process's reader); False if it is under way."""
        with self._state_lock:
            if call.state == STARTED:
                return False
            call.state = DROPPED
            return True

    def _run_alone(self, call: Call) -> None:
        if not self._start(call):
            return
        db = self._connection()
        quick = call.busy_ms != BUSY_TIMEOUT_MS
        if quick:
            db.conn.execute(f"PRAGMA busy_timeout = {int(call.busy_ms)}")
        try:
            call.result = call.fn(db, *call.args, **call.kwargs)
        except sqlite3.OperationalError as error:
            call.error = error
            if quick and is_locked(error):
                call.error = StoreBusy(str(error))
                call.error.__cause__ = error
        except BaseException as error:  # handed to its caller, as run_in_executor would
            call.error = error
        finally:
            if quick:
                db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _run_together(self, group: list[Call]) -> None:
        db = self._connection()
        try:
            begin_write(db)
        except BaseException as error:  # locked past the busy timeout (or no longer wanted): each caller hears it
            for call in group:
                call.error = error
            return
        try:
            for number, call in enumerate(group):
                if self._start(call):
                    self._run_in_savepoint(db, call, f"call_{number}")
            db.conn.execute("COMMIT")
        except BaseException as error:  # the transaction is gone, and what each call did with it
            if db.conn.in_transaction:
                db.conn.rollback()
            for call in group:
                if call.state == STARTED and call.error is None:
                    call.result, call.error = None, error
            for call in group:
                if call.state == QUEUED:  # never started: it may still run, on its own
                    self._run_alone(call)

    def _run_in_savepoint(self, db: sqlite_utils.Database, call: Call, savepoint: str) -> None:
        """One call of a group: what it did is undone if it raises, and only that."""
        db.conn.execute(f"SAVEPOINT {savepoint}")
        try:
            call.result = call.fn(db, *call.args, **call.kwargs)
        except BaseException as error:
            call.error = error
            if not db.conn.in_transaction:
                raise  # its error ended the whole transaction (see _run_together)
            db.conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
        db.conn.execute(f"RELEASE SAVEPOINT {savepoint}")

    def submit(self, call: Call) -> None:
        """Queue a call made elsewhere (bot/store/process.py); it is handed back by `hand_back`."""
        if not self._thread.is_alive():
            raise RuntimeError("the store is closed")
        self._calls.put(call)

    # -- on the event loop ----------------------------------------------------------------------

    async def run(self, fn: Callable[..., T], *args: Any, budget: float | None = None, **kwargs: Any) -> T:
        """`fn(db, *args, **kwargs)` on the store's thread. With `budget` (seconds): StoreBusy
        when it could not start by then or met a lock (see the module docstring)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        call = Call(fn, args, kwargs, QUICK_BUSY_MS if budget is not None else BUSY_TIMEOUT_MS, loop, future)
        if not self._thread.is_alive():
            raise RuntimeError("the store is closed")
        self._calls.put(call)
        if budget is None:
            return cast(T, await future)
        try:
            return cast(T, await asyncio.wait_for(asyncio.shield(future), budget))
        except TimeoutError:
            if self.drop(call):
                future.add_done_callback(lambda f: f.cancelled() or f.exception())  # nobody reads it
                raise StoreBusy("the database is busy") from None
            return cast(T, await future)  # under way: at most QUICK_BUSY_MS more on a lock

    def answers_on_this_loop(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()  # each answer goes to its caller's loop anyway

    def close(self) -> None:
        """Finish what is queued, close the connection, stop the thread."""
        if self._thread.is_alive():
            self._calls.put(None)
            self._thread.join(timeout=10)
        self._closing = True
        self._wrote.set()
        self._checkpointer.join(timeout=10)


def _to_loops(group: list[Call]) -> None:
    # One wake-up of each loop per group, not one per call.
    by_loop: dict[asyncio.AbstractEventLoop, list[Call]] = {}
    for call in group:
        if call.loop is not None:
            by_loop.setdefault(call.loop, []).append(call)
    for loop, calls in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle_all, calls)
        except RuntimeError:
            pass  # that loop is closed: nobody is waiting any more


def _settle_all(calls: list[Call]) -> None:
    for call in calls:
        call.settle()
