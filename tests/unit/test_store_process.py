"""The store in its own process (bot/store/process.py), on a real SQLite file and a real child:
results, errors and log lines come back; a call out of budget behind another process's lock is
dropped; a child that dies fails what was in flight and is replaced; intents it claims carry the
bot's boot id."""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import signal
import sqlite3
import threading
import time

import pytest

from bot.store.db import boot_id, open_database
from bot.store.process import StoreProcess
from bot.store.worker import StoreBusy
from tests.support.waiting import wait_until


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "store.sqlite3"
    db = open_database(path)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    db.close()
    store = StoreProcess(path)
    yield store
    store.close()


def _note(db, text: str) -> int:
    db.execute("INSERT INTO notes (text) VALUES (?)", [text])
    return os.getpid()


def _fail(db, text: str) -> None:
    raise LookupError(text)


def _log(db, text: str) -> None:
    logging.getLogger("bot.store.test").warning("from the store: %s", text)


def _boot(db) -> str:
    return boot_id()


def _pid(db) -> int:
    return os.getpid()


def _sleep(db, seconds: float) -> str:
    time.sleep(seconds)
    return "slept"


def _texts(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return sorted(row[0] for row in conn.execute("SELECT text FROM notes"))
    finally:
        conn.close()


def test_calls_run_in_another_process_and_their_results_come_back(store):
    pids = asyncio.run(_gather(*[store.run(_note, f"n{i}") for i in range(20)]))
    assert len(set(pids)) == 1 and pids[0] != os.getpid()
    assert _texts(store.path) == sorted(f"n{i}" for i in range(20))


def test_an_error_reaches_its_caller_and_only_its_caller(store):
    outcomes = asyncio.run(_gather(store.run(_note, "kept"), store.run(_fail, "why"), return_exceptions=True))
    assert isinstance(outcomes[1], LookupError) and str(outcomes[1]) == "why"
    assert _texts(store.path) == ["kept"]


def test_a_function_that_cannot_be_sent_fails_at_once_to_its_caller(store):
    with pytest.raises((pickle.PicklingError, AttributeError), match="pickle"):
        asyncio.run(store.run(lambda db: None))
    assert asyncio.run(store.run(_note, "after")) != os.getpid()  # the store goes on


def test_what_the_store_logs_is_logged_by_the_bot(store, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.store.test"):
        asyncio.run(store.run(_log, "hello"))
        wait_until(lambda: any("from the store: hello" in r.getMessage() for r in caplog.records), timeout=5)


def test_the_child_writes_as_the_bot_boot(store):
    assert asyncio.run(store.run(_boot)) == boot_id()


def test_a_call_out_of_budget_behind_another_process_lock_is_dropped(store):
    blocker = sqlite3.connect(store.path, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")  # another process's write lock, as `resourcebot audit` or a backup
    try:

        async def main():
            holding = asyncio.ensure_future(store.run(_note, "behind the lock"))  # waits up to 5 s on it
            await asyncio.sleep(0.2)
            started = time.monotonic()
            with pytest.raises(StoreBusy):
                await store.run(_note, "out of budget", budget=0.5)
            waited = time.monotonic() - started
            blocker.rollback()
            return waited, await holding

        waited, _ = asyncio.run(main())
    finally:
        blocker.close()
    assert waited < 2.0  # dropped at its budget, not after the lock
    assert _texts(store.path) == ["behind the lock"]


def test_a_child_that_dies_fails_what_was_in_flight_and_is_replaced(store, caplog):
    first = asyncio.run(store.run(_pid))

    async def main():
        in_flight = asyncio.ensure_future(store.run(_sleep, 5))
        await asyncio.sleep(0.3)
        os.kill(first, signal.SIGKILL)
        with pytest.raises(StoreBusy):
            await in_flight

    with caplog.at_level(logging.ERROR, logger="bot.store"):
        asyncio.run(main())
        # Logged by the thread that saw the pipe close, once it has failed what was in flight.
        wait_until(lambda: any("store's process stopped" in r.getMessage() for r in caplog.records), timeout=5)
    second = wait_until(lambda: _try(store), timeout=10)
    assert second != first and second != os.getpid()


def test_the_server_loop_reads_the_answers_and_hands_them_back_when_it_stops(store):
    """As the server's lifespan does: calls from that loop and from another thread's loop are
    answered while it reads, a child killed meanwhile is replaced and read by it too, and once it
    stops reading the reader thread answers again."""
    other_loop_answers: list[int] = []

    async def serving():
        with store.answers_on_this_loop():
            first = await store.run(_note, "on the home loop")
            elsewhere = threading.Thread(target=lambda: other_loop_answers.append(asyncio.run(store.run(_pid))))
            elsewhere.start()
            await asyncio.to_thread(elsewhere.join, 10)
            with pytest.raises(RuntimeError, match="another loop"):
                with store.answers_on_this_loop():
                    pass
            in_flight = asyncio.ensure_future(store.run(_sleep, 5))
            await asyncio.sleep(0.3)
            os.kill(first, signal.SIGKILL)
            with pytest.raises(StoreBusy):
                await in_flight
            for _ in range(100):  # the next child, started by whoever read the end of the pipe
                try:
                    return first, await store.run(_pid)
                except StoreBusy:
                    await asyncio.sleep(0.1)
            raise AssertionError("no child replaced the one killed")

    first, second = asyncio.run(serving())
    assert other_loop_answers == [first]
    assert second not in (first, os.getpid())
    assert asyncio.run(store.run(_pid)) == second  # read by the thread again
    assert _texts(store.path) == ["on the home loop"]


def test_close_finishes_what_is_queued(tmp_path):
    path = tmp_path / "store.sqlite3"
    db = open_database(path)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    db.close()
    store = StoreProcess(path)
    asyncio.run(store.run(_pid))  # started: what follows is sent at once

    async def main():
        futures = [asyncio.ensure_future(store.run(_note, f"q{i}")) for i in range(5)]
        await asyncio.sleep(0)  # all sent
        return futures

    asyncio.run(main())
    store.close()
    assert _texts(path) == sorted(f"q{i}" for i in range(5))
    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(store.run(_note, "after close"))


def _try(store) -> int | None:
    try:
        return asyncio.run(store.run(_pid))
    except StoreBusy:
        return None


async def _gather(*coroutines, return_exceptions: bool = False):
    return await asyncio.gather(*coroutines, return_exceptions=return_exceptions)


def test_the_child_does_not_outlive_the_bot(tmp_path):
    """kill -9 of the bot takes its store with it: nothing writes for a bot that is gone."""
    import subprocess
    import sys
    import textwrap

    path = tmp_path / "store.sqlite3"
    open_database(path).close()
    script = textwrap.dedent(
        f"""
        import asyncio, os, sys, time
        sys.path.insert(0, {os.getcwd()!r})
        from bot.store.process import StoreProcess
        from tests.unit.test_store_process import _pid

        if __name__ == "__main__":
            store = StoreProcess({str(path)!r})
            print(asyncio.run(store.run(_pid)), flush=True)
            time.sleep(60)
        """
    )
    bot = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        child = int(bot.stdout.readline())
        assert _alive(child)
        bot.kill()
        bot.wait(10)
        wait_until(lambda: not _alive(child), timeout=10, what="the store's process to end with the bot")
    finally:
        bot.kill()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
