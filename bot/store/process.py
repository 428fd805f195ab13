"""The store in a process of its own, so that the bot's writes use the machine's other core.

A Python process runs one thread at a time. With the store's thread inside the bot's process,
its Python work (rows to records, JSON, the status rules) took turns with the event loop's
(HTTP, parsing), and a webhook burst was bound by the sum of both. Here the same thread
(bot/store/worker.py: group commit, busy budgets, the checkpointer) runs in a child process. The
bot sends it each call pickled, `fn` by reference: it must be a module-level function. Reads
that never wait for a lock (WAL) stay in the bot, on its own connection.

In the bot: `run` pickles on the loop (a call that cannot be sent fails there, to its caller) and
writes the frame to a non-blocking pipe; what the pipe does not take at once (the child stalled
on a lock) a flusher thread sends, in order, so the loop never waits. The answers are read by the
server's event loop (`answers_on_this_loop`, for as long as it serves): a thread of its own would
take the interpreter lock from the loop for every answer, which cost the webhook path a sixth of
its rate. Outside it (a script, a test's `asyncio.run`) a reader thread reads them. Each
caller's future is settled on its own loop. A call out of `budget` asks the child to drop it:
dropped if it has not started (StoreBusy to its caller), otherwise its answer comes as usual,
within the short busy timeout of such calls.

If the child dies (killed, out of memory), each call in flight fails with StoreBusy (what it did
may or may not be committed, as after any crash: callers retry, the store deduplicates) and a new
child serves the next calls. The child ends with the bot (see `_end_with`). A script that builds
a StoreProcess must guard its main module (`if __name__ == "__main__":`): the fork server, as
multiprocessing's spawn, imports it.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import itertools
import logging
import multiprocessing
import os
import pickle
import select
import signal
import struct
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar, cast

from bot.store.db import BUSY_TIMEOUT_MS, adopt_boot_id, boot_id, guard_writes
from bot.store.worker import QUICK_BUSY_MS, Call, StoreBusy, StoreWorker

log = logging.getLogger("bot.store")

T = TypeVar("T")
CALL, DROP, STOP = 1, 2, 3  # what the bot sends
ANSWERS, LOG = 1, 2  # what the child sends: answers to calls, or a log record to log in the bot
_LENGTH = struct.Struct("<I")  # each message on a pipe: its length, then itself
_HEADER = struct.Struct("<BqI")  # a request: kind, token, busy_ms; then the pickled (fn, args, kwargs)
_BUFFER = 256 * 1024
_PICKLE = pickle.HIGHEST_PROTOCOL
# Imported once by the fork server, not by every child: what the store's calls are made of
# (the store, the use cases' commits, webhook ingestion), so that no first call waits on imports.
_PRELOAD = ["bot.store.process", "bot.usecases.registry", "bot.usecases.ingest_webhook"]


_exiting = False  # the interpreter is exiting: a child that stops now is not replaced


@atexit.register
def _at_exit() -> None:
    # Runs before multiprocessing's own exit hook (registered earlier) ends the children.
    global _exiting
    _exiting = True


def _context() -> Any:
    # A fork server: a clean process (no threads of the bot's) that forks each child in
    # milliseconds, its imports done once.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


class _Child:
    """One child process, the flusher thread that writes to it and whoever reads its answers (the
    home loop, else a reader thread); replaced when it dies."""

    def __init__(self, path: str, on_gone: Callable[[_Child], None]) -> None:
        context = _context()
        requests_in, requests_out = context.Pipe(duplex=False)
        answers_in, answers_out = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_serve,
            args=(path, os.getpid(), boot_id(), logging.getLogger().getEffectiveLevel(), requests_in, answers_out),
            name="resourcebot-store",
            daemon=True,
        )
        self.process.start()
        requests_in.close()
        answers_out.close()
        # Plain framed bytes on the pipes' descriptors: neither side's writes wait for the other.
        self._requests = requests_out
        self._out = requests_out.fileno()
        os.set_blocking(self._out, False)
        self._unsent = bytearray()  # what the pipe did not take yet, in order; the flusher sends it
        self._unsent_ready = threading.Condition(threading.Lock())
        self._answers = _take(answers_in)
        os.set_blocking(self._answers, False)
        self._unread = bytearray()  # the start of a frame not all in yet
        self._reading = threading.Lock()  # one reader at a time: the home loop or the thread
        self._home_changed = threading.Condition(threading.Lock())
        self._home: asyncio.AbstractEventLoop | None = None  # the loop reading the answers, if any
        self._ended = False  # the answers' pipe reached its end (under _home_changed)
        self.pending: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Future[Any]]] = {}
        self.lock = threading.Lock()
        self.gone = False
        self._stopping = False
        self._on_gone = on_gone
        self._flusher = threading.Thread(target=self._flush_all, name="store-sender", daemon=True)
        self._reader = threading.Thread(target=self._read_all, name="store-reader", daemon=True)
        self._flusher.start()
        self._reader.start()

    def send(
        self, token: int, busy_ms: int, payload: bytes, loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any]
    ) -> None:
        with self.lock:
            if self.gone:
                raise StoreBusy("the store's process stopped")
            self.pending[token] = (loop, future)
        self._write(_HEADER.pack(CALL, token, busy_ms), payload)

    def drop(self, token: int) -> None:
        self._write(_HEADER.pack(DROP, token, 0))

    def stop(self, timeout: float) -> None:
        self._write(_HEADER.pack(STOP, 0, 0))
        with self._unsent_ready:
            self._stopping = True
            self._unsent_ready.notify()
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout)
        self._read_available()  # the end of the pipe, even with a home loop that no longer runs
        self._reader.join(timeout)
        self._flusher.join(timeout)

    # -- writing --------------------------------------------------------------------------------

    def _write(self, *parts: bytes) -> None:
        frame = b"".join((_LENGTH.pack(sum(map(len, parts))), *parts))  # the payload copied once
        with self._unsent_ready:
            if not self._unsent:
                try:
                    frame = frame[os.write(self._out, frame) :]
                except BlockingIOError:
                    pass
                except OSError:
                    return  # the child is gone: the reader fails what is pending
            if frame:
                self._unsent += frame
                self._unsent_ready.notify()

    def _flush_all(self) -> None:
        """What the pipe could not take at once (the child busy on a lock), sent as it drains."""
        while True:
            with self._unsent_ready:
                while not self._unsent and not self._stopping:
                    self._unsent_ready.wait()
                if not self._unsent:
                    break
                try:
                    del self._unsent[: os.write(self._out, self._unsent)]
                    continue
                except BlockingIOError:
                    pass
                except OSError:
                    self._unsent.clear()
                    break
            select.select([], [self._out], [], 1.0)
        self._requests.close()

    # -- reading --------------------------------------------------------------------------------

    def read_on(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """`loop` reads the answers from now on (from any thread); None: the reader thread again
        (called on the loop that read them)."""
        with self._home_changed:
            before, self._home = self._home, loop
            self._home_changed.notify()
        if before is not None and not before.is_closed():
            before.remove_reader(self._answers)
        if loop is not None:
            loop.call_soon_threadsafe(self._watch, loop)

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._home_changed:
            if self._home is loop and not self._ended:
                loop.add_reader(self._answers, self._read_available)

    def _read_all(self) -> None:
        """The reader thread: reads while no loop does, ends with the pipe."""
        while True:
            with self._home_changed:
                while self._home is not None and not self._ended:
                    self._home_changed.wait()
                if self._ended:
                    return
            select.select([self._answers], [], [])
            self._read_available()

    def _read_available(self) -> None:
        """What the pipe holds now, without waiting: answers settled, log records logged."""
        frames: list[bytes] = []
        with self._reading:
            if self.gone:
                return
            ended = False
            while True:
                try:
                    data = os.read(self._answers, _BUFFER)
                except BlockingIOError:
                    break
                except OSError:
                    data = b""
                if not data:
                    ended = True
                    break
                self._unread += data
                if len(data) < _BUFFER:
                    break  # all there was: spared the read that would only say so
            unread, at = self._unread, 0
            while len(unread) - at >= _LENGTH.size:
                (size,) = _LENGTH.unpack_from(unread, at)
                if len(unread) - at - _LENGTH.size < size:
                    break
                frames.append(bytes(unread[at + _LENGTH.size : at + _LENGTH.size + size]))
                at += _LENGTH.size + size
            del unread[:at]
            for frame in frames:
                self._take_frame(frame)
            if ended:
                self._end()

    def _take_frame(self, frame: bytes) -> None:
        if frame[0] == LOG:
            _log_here(pickle.loads(memoryview(frame)[1:]))
            return
        here = _running_loop()
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], bool, Any]]] = {}
        for token, ok, payload in pickle.loads(memoryview(frame)[1:]):
            with self.lock:
                waiting = self.pending.pop(token, None)
            if waiting is None:
                continue  # answered already (dropped), or its caller is gone
            loop, future = waiting
            try:
                value = pickle.loads(payload)
            except Exception as error:  # noqa: BLE001 - e.g. an exception type that cannot be rebuilt
                ok, value = False, RuntimeError(f"the store's answer could not be read: {error!r}")
            by_loop.setdefault(loop, []).append((future, ok, value))
        for loop, settled in by_loop.items():
            if loop is here:
                _settle(settled)
                continue
            try:
                loop.call_soon_threadsafe(_settle, settled)
            except RuntimeError:
                pass  # that loop is closed: nobody is waiting any more

    def _end(self) -> None:
        """The child is gone: what is pending fails, the pipe is closed by its reader, and the
        StoreProcess is told (it starts another child)."""
        with self.lock:
            self.gone = True
            left, self.pending = self.pending, {}
        for loop, future in left.values():
            try:
                loop.call_soon_threadsafe(_settle, [(future, False, StoreBusy("the store's process stopped"))])
            except RuntimeError:
                pass
        with self._unsent_ready:
            self._stopping = True
            self._unsent_ready.notify()
        with self._home_changed:
            self._ended = True
            self._home_changed.notify()
            home = self._home
        if home is None:
            os.close(self._answers)
        else:
            try:  # on the home loop, so that the descriptor is not reused while it is watched
                home.call_soon_threadsafe(self._close_on, home)
            except RuntimeError:
                os.close(self._answers)  # the loop is closed: nothing watches it
        self._on_gone(self)

    def _close_on(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.remove_reader(self._answers)
        os.close(self._answers)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _take(connection: Connection) -> int:
    """The pipe's descriptor, for plain reads; the Connection no longer owns it."""
    fd = os.dup(connection.fileno())
    connection.close()
    return fd


def _read_frame(stream: Any) -> bytes | None:
    """One framed message, or None at the end of the pipe."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    body: bytes = stream.read(size)
    return body if len(body) == size else None


class StoreProcess:
    """The StoreWorker's `run`, served by a child process (see the module docstring)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._tokens = itertools.count(1)
        self._lock = threading.Lock()
        self._closing = False
        # The first child is started in the background: the fork server imports what the calls
        # need (~1 s), and the bot need not wait for that to listen; the first call waits instead.
        self._child: _Child | None = None
        self._home: asyncio.AbstractEventLoop | None = None  # see answers_on_this_loop
        self._start_error: BaseException | None = None
        self._started = threading.Event()
        threading.Thread(target=self._start_first, name="store-start", daemon=True).start()

    def _start_first(self) -> None:
        try:
            child = _Child(self.path, self._replace)
            with self._lock:
                self._adopt(child)
        except BaseException as error:  # noqa: BLE001 - every caller hears it
            self._start_error = error
            log.error("the store's process could not start: %s", error)
        finally:
            self._started.set()

    async def _current(self, budget: float | None) -> _Child:
        if not self._started.is_set():
            starting = asyncio.get_running_loop().run_in_executor(None, self._started.wait)
            try:
                await asyncio.wait_for(asyncio.shield(starting), budget)
            except TimeoutError:
                raise StoreBusy("the store is still starting") from None
        if self._child is None:
            raise RuntimeError("the store's process could not start") from self._start_error
        return self._child

    def _replace(self, gone: _Child) -> None:
        with self._lock:
            if self._closing or _exiting or self._child is not gone:
                return
            log.error("the store's process stopped (exit code %s): starting another", gone.process.exitcode)
            self._adopt(_Child(self.path, self._replace))

    def _adopt(self, child: _Child) -> None:
        """Under self._lock: `child` serves the calls from now on, its answers read where they are."""
        self._child = child
        if self._home is not None:
            child.read_on(self._home)

    @contextlib.contextmanager
    def answers_on_this_loop(self) -> Iterator[None]:
        """While in it, the running loop reads the store's answers (the server's, for as long as
        it serves): see the module docstring."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._home is not None:
                raise RuntimeError("the store's answers are read on another loop already")
            self._home, child = loop, self._child
            if child is not None:
                child.read_on(loop)
        try:
            yield
        finally:
            with self._lock:
                self._home, child = None, self._child
                if child is not None:
                    child.read_on(None)

    async def run(self, fn: Callable[..., T], *args: Any, budget: float | None = None, **kwargs: Any) -> T:
        """`fn(db, *args, **kwargs)` in the store's process. With `budget` (seconds): StoreBusy
        when it could not start by then or met a lock (as StoreWorker.run)."""
        if self._closing:
            raise RuntimeError("the store is closed")
        loop = asyncio.get_running_loop()
        payload = pickle.dumps((fn, args, kwargs), _PICKLE)
        future: asyncio.Future[Any] = loop.create_future()
        token = next(self._tokens)
        child = await self._current(budget)
        child.send(token, QUICK_BUSY_MS if budget is not None else BUSY_TIMEOUT_MS, payload, loop, future)
        if budget is None:
            return cast(T, await future)
        try:
            return cast(T, await asyncio.wait_for(asyncio.shield(future), budget))
        except TimeoutError:
            child.drop(token)
            return cast(T, await future)  # StoreBusy if dropped; else its answer, QUICK_BUSY_MS at most

    def close(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then stop the child."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
        self._started.wait(timeout)
        if self._child is not None:
            self._child.stop(timeout)


def _settle(settled: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    for future, ok, value in settled:
        if future.done():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


# -- in the child -------------------------------------------------------------------------------


def _serve(path: str, bot: int, boot: str, log_level: int, requests: Connection, answers: Connection) -> None:
    """The child's main thread: reads calls and hands them to a StoreWorker until told to stop or
    the bot is gone (the pipe closes)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the bot, which stops us in order
    _end_with(bot)
    adopt_boot_id(boot)  # intents it claims are the bot's own, not another boot's
    incoming = os.fdopen(_take(requests), "rb", buffering=_BUFFER)
    outgoing = answers.fileno()
    answering = threading.Lock()
    calls: dict[int, Call] = {}
    calls_lock = threading.Lock()

    def send(kind: int, data: bytes) -> None:
        frame = memoryview(_LENGTH.pack(len(data) + 1) + bytes([kind]) + data)
        with answering:
            try:
                while frame:
                    frame = frame[os.write(outgoing, frame) :]
            except OSError:
                pass  # the bot is gone

    def answer(items: list[tuple[int, bool, Any]]) -> None:
        send(ANSWERS, pickle.dumps([(token, *_pickled(ok, value)) for token, ok, value in items], _PICKLE))

    # What the store logs is logged by the bot, with its format, filters and masking.
    root = logging.getLogger()
    root.handlers[:] = [_ForwardLogs(lambda record: send(LOG, pickle.dumps(record, _PICKLE)))]
    root.setLevel(log_level)

    def hand_back(group: list[Call]) -> None:
        with calls_lock:
            for call in group:
                calls.pop(call.token, None)
        answer([(c.token, c.error is None, c.result if c.error is None else c.error) for c in group])

    worker = StoreWorker(path, hand_back=hand_back)
    try:
        while (message := _read_frame(incoming)) is not None:
            kind, token, busy_ms = _HEADER.unpack_from(message)
            if kind == STOP:
                break
            if kind == DROP:
                with calls_lock:
                    call = calls.get(token)
                if call is not None and worker.drop(call):
                    answer([(token, False, StoreBusy("the database is busy"))])
                continue
            try:
                fn, args, kwargs = pickle.loads(memoryview(message)[_HEADER.size :])
            except Exception as error:  # noqa: BLE001 - its caller hears why
                answer([(token, False, RuntimeError(f"the store could not read the call: {error!r}"))])
                continue
            call = Call(fn, args, kwargs, busy_ms, token=token)
            with calls_lock:
                calls[token] = call
            worker.submit(call)
    finally:
        worker.close()
        incoming.close()
        answers.close()


def _end_with(bot: int) -> None:
    """Linux: the store ends with the bot it writes for, even when the bot is killed (-9). A store
    left behind would commit what it was waiting to commit (behind a lock, say) for a bot that is
    gone, racing the one that replaces it: so a write lock taken once the bot is gone is given
    back (WriterGone), and a watcher ends this process as soon as the bot ends."""
    try:
        watched = os.pidfd_open(bot)
    except (AttributeError, OSError):
        return  # no pidfd here: the child still ends when it next reads the closed pipe

    def gone() -> bool:
        return bool(select.select([watched], [], [], 0)[0])

    def watch() -> None:
        select.select([watched], [], [])
        os._exit(0)

    guard_writes(lambda: not gone())
    threading.Thread(target=watch, name="store-watch", daemon=True).start()


class _ForwardLogs(logging.Handler):
    """In the child: each record, made plain (message formatted, traceback as text), to the bot."""

    def __init__(self, forward: Callable[[dict[str, Any]], None]) -> None:
        super().__init__()
        self._forward = forward

    def emit(self, record: logging.LogRecord) -> None:
        try:
            plain = dict(record.__dict__)
            plain["msg"], plain["args"] = record.getMessage(), None
            if record.exc_info:
                plain["exc_text"] = logging.Formatter().formatException(record.exc_info)
            plain["exc_info"] = None
            self._forward(plain)
        except Exception:  # noqa: BLE001 - logging must never break a store call
            self.handleError(record)


def _log_here(plain: dict[str, Any]) -> None:
    record = logging.makeLogRecord(plain)
    logging.getLogger(record.name).handle(record)


def _pickled(ok: bool, value: Any) -> tuple[bool, bytes]:
    try:
        return ok, pickle.dumps(value, _PICKLE)
    except Exception as error:  # noqa: BLE001 - an answer that cannot travel is an error to its caller
        kind = "answer" if ok else f"error ({type(value).__name__}: {value})"
        return False, pickle.dumps(RuntimeError(f"the store's {kind} cannot be sent back: {error!r}"), _PICKLE)
