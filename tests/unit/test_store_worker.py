"""The store thread (bot/store/worker.py) on a real SQLite file: calls that queue up are committed
together, yet each one succeeds or fails as if alone, and is answered only once committed."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading

import pytest

from bot.store.db import open_database
from bot.store.worker import StoreBusy, StoreWorker
from tests.support.waiting import wait_until


@pytest.fixture
def worker(tmp_path):
    path = tmp_path / "store.sqlite3"
    db = open_database(path)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    db.close()
    store = StoreWorker(path)
    yield store
    store.close()


def _hold(db, started: threading.Event, release: threading.Event) -> None:
    """Keeps the store thread busy, so that what is submitted meanwhile queues up."""
    started.set()
    release.wait(10)


def _note(db, text: str) -> bool:
    db.execute("INSERT INTO notes (text) VALUES (?)", [text])
    return db.conn.in_transaction  # True when it runs inside a group's transaction


def _note_then_fail(db, text: str) -> None:
    db.execute("INSERT INTO notes (text) VALUES (?)", [text])
    raise LookupError(text)


def _note_then_end_transaction(db, text: str) -> None:
    db.execute("INSERT INTO notes (text) VALUES (?)", [text])
    db.conn.execute("ROLLBACK")  # as an error SQLite answers by rolling back everything would
    raise RuntimeError("the transaction is gone")


def _texts(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return sorted(row[0] for row in conn.execute("SELECT text FROM notes"))
    finally:
        conn.close()


async def _queued_behind_a_busy_thread(store: StoreWorker, *calls):
    """Run `calls` (each (fn, *args)) submitted while the thread is busy; their outcomes."""
    started, release = threading.Event(), threading.Event()
    holding = asyncio.ensure_future(store.run(_hold, started, release))
    await asyncio.get_running_loop().run_in_executor(None, started.wait, 10)
    futures = [asyncio.ensure_future(store.run(fn, *args)) for fn, *args in calls]
    await asyncio.sleep(0.05)  # every call is in the queue
    release.set()
    await holding
    return await asyncio.gather(*futures, return_exceptions=True)


def test_calls_that_queue_up_are_committed_in_one_transaction(worker):
    outcomes = asyncio.run(_queued_behind_a_busy_thread(worker, *[(_note, f"n{i}") for i in range(10)]))
    assert outcomes == [True] * 10  # each ran inside the group's transaction
    assert _texts(worker.path) == sorted(f"n{i}" for i in range(10))


def test_a_call_alone_runs_in_no_transaction_of_ours(worker):
    async def main():
        return await worker.run(_note, "alone")

    assert asyncio.run(main()) is False  # nothing queued with it: no group, its own commit
    assert _texts(worker.path) == ["alone"]


def test_a_failing_call_in_a_group_undoes_only_its_own_writes(worker):
    outcomes = asyncio.run(
        _queued_behind_a_busy_thread(worker, (_note, "before"), (_note_then_fail, "failed"), (_note, "after"))
    )
    assert outcomes[0] is True and outcomes[2] is True
    assert isinstance(outcomes[1], LookupError)
    assert _texts(worker.path) == ["after", "before"]


def test_a_call_that_ends_the_transaction_fails_those_before_it_and_not_those_after(worker):
    outcomes = asyncio.run(
        _queued_behind_a_busy_thread(worker, (_note, "before"), (_note_then_end_transaction, "ender"), (_note, "after"))
    )
    # "before" was rolled back with the transaction: its caller is told, not shown a success.
    assert isinstance(outcomes[0], sqlite3.Error | RuntimeError)
    assert isinstance(outcomes[1], RuntimeError)
    assert outcomes[2] is False  # it had not started: it ran afterwards, on its own
    assert _texts(worker.path) == ["after"]


def test_a_caller_hears_back_only_once_its_write_is_visible_to_others(worker):
    async def main():
        results = []
        for i in range(20):
            await worker.run(_note, f"v{i}")
            results.append(f"v{i}" in _texts(worker.path))
        return results

    assert all(asyncio.run(main()))


def test_a_call_out_of_budget_before_it_starts_is_dropped_and_never_runs(worker):
    async def main():
        started, release = threading.Event(), threading.Event()
        holding = asyncio.ensure_future(worker.run(_hold, started, release))
        await asyncio.get_running_loop().run_in_executor(None, started.wait, 10)
        with pytest.raises(StoreBusy):
            await worker.run(_note, "dropped", budget=0.2)
        release.set()
        await holding
        await worker.run(_note, "later")

    asyncio.run(main())
    assert _texts(worker.path) == ["later"]


def test_the_log_is_checkpointed_into_the_database_file_off_the_store_thread(worker):
    before = os.path.getsize(worker.path)

    async def main():
        for _ in range(64):
            await worker.run(_note, "x" * 16384)

    asyncio.run(main())
    # The store's connection never checkpoints by itself (wal_autocheckpoint 0): only the
    # checkpointer copies the 1 MiB from the log into the file.
    wait_until(
        lambda: os.path.getsize(worker.path) >= before + 1024 * 1024,
        10,
        what="the checkpointer to copy 1 MiB into the database file",
        interval=0.05,
    )


def test_close_runs_what_is_queued_then_stops_at_once(tmp_path):
    path = tmp_path / "store.sqlite3"
    db = open_database(path)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    db.close()
    store = StoreWorker(path)

    async def main():
        started, release = threading.Event(), threading.Event()
        holding = asyncio.ensure_future(store.run(_hold, started, release))
        await asyncio.get_running_loop().run_in_executor(None, started.wait, 10)
        queued = [asyncio.ensure_future(store.run(_note, f"q{i}")) for i in range(3)]
        await asyncio.sleep(0.05)
        return holding, queued, release

    holding, queued, release = asyncio.run(main())
    closing = threading.Thread(target=store.close)
    closing.start()  # its stop is queued behind the calls
    release.set()
    closing.join(timeout=5)
    assert not closing.is_alive()  # was: the stop taken with the group and lost, close waited 10 s
    assert _texts(path) == ["q0", "q1", "q2"]
