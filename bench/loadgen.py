"""A bounded HTTP load generator: `concurrency` clients, each one request at a time on its own
kept-alive connection, until every body is sent or `seconds` have passed.

Two clients: `raw` (the default) writes pre-built HTTP/1.1 requests on asyncio streams and reads
status line, headers and Content-Length body back; `httpx` uses httpx.AsyncClient. On the 2-core
machine httpx spends ~1.3 ms of CPU per request, so it tops out near 700 requests/s, below what
the servers measured here take; the raw client's ceiling is several times higher (both are
reported by benchmark 3 against a trivial endpoint).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Load:
    sent: int = 0
    ok: int = 0  # answered 200
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # transport errors by kind
    latencies_ms: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    started_at: float = 0.0  # wall clock (time.time()) of the first request

    @property
    def per_second(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0


async def _load(url: str, bodies: list[bytes], headers: dict[str, str], concurrency: int, seconds: float) -> Load:
    import httpx

    result = Load()
    queue = iter(bodies)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(timeout=30, limits=limits) for _ in range(concurrency)]
    deadline = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        for body in queue:
            if time.perf_counter() > deadline:
                return
            result.sent += 1
            started = time.perf_counter()
            try:
                response = await client.post(url, content=body, headers=headers)
            except httpx.HTTPError as error:
                result.errors[type(error).__name__] += 1
                continue
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
            result.statuses[response.status_code] += 1
            if response.status_code == 200:
                result.ok += 1

    try:
        started = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in clients))
        result.elapsed = time.perf_counter() - started
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return result


async def _load_raw(url: str, bodies: list[bytes], headers: dict[str, str], concurrency: int, seconds: float) -> Load:
    parts = urlsplit(url)
    host, port, path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path or "/"
    head = f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    result = Load()
    queue = iter(bodies)
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for body in queue:
                if time.perf_counter() > deadline:
                    return
                result.sent += 1
                started = time.perf_counter()
                try:
                    writer.write(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
                    status_and_headers = await reader.readuntil(b"\r\n\r\n")
                    status = int(status_and_headers[9:12])
                    length = 0
                    for line in status_and_headers.split(b"\r\n")[1:]:
                        if line[:15].lower() == b"content-length:":
                            length = int(line[15:])
                    await reader.readexactly(length)
                except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                    result.errors[type(error).__name__] += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                    continue
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
                result.statuses[status] += 1
                if status == 200:
                    result.ok += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed = time.perf_counter() - started
    return result


def load(
    url: str,
    bodies: list[bytes],
    headers: dict[str, str],
    *,
    concurrency: int = 16,
    seconds: float = 10.0,
    client: str = "raw",
) -> Load:
    """POST each body once (in order, shared by the clients), bounded by len(bodies) and `seconds`."""
    run = _load_raw if client == "raw" else _load
    return asyncio.run(run(url, bodies, headers, concurrency, seconds))


async def _sequences(url: str, sequences: list[list[bytes]], headers: dict[str, str], concurrency: int) -> Load:
    import httpx

    result = Load()
    queue = iter(sequences)

    async def worker() -> None:
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=1)) as client:
            for sequence in queue:
                for body in sequence:  # in order: each waits for the one before to be answered
                    result.sent += 1
                    started = time.perf_counter()
                    response = await client.post(url, content=body, headers=headers)
                    result.latencies_ms.append((time.perf_counter() - started) * 1000)
                    result.statuses[response.status_code] += 1
                    result.ok += response.status_code == 200

    started, result.started_at = time.perf_counter(), time.time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed = time.perf_counter() - started
    return result


def send_sequences(url: str, sequences: list[list[bytes]], headers: dict[str, str], *, concurrency: int = 8) -> Load:
    """POST bursts: each sequence by one client, in order; `concurrency` sequences at a time."""
    return asyncio.run(_sequences(url, sequences, headers, concurrency))


def in_process(function: str, **kwargs) -> Load:
    """Run `load` or `send_sequences` in a process of its own (its own GIL), so that the load it
    makes does not slow a server running in this process, such as the Slack stand-in's thread."""
    import pickle
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from bench.common import ROOT

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        job, out = Path(tmp) / "job.pickle", Path(tmp) / "out.pickle"
        job.write_bytes(pickle.dumps((function, kwargs)))
        subprocess.run(
            [sys.executable, "-m", "bench.loadgen", str(job), str(out)],
            check=True,
            cwd=ROOT,
            env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
        )
        return pickle.loads(out.read_bytes())


def _main() -> None:
    import pickle
    import sys
    from pathlib import Path

    import bench.loadgen as this  # not __main__'s copies: the result is unpickled as bench.loadgen.Load

    function, kwargs = pickle.loads(Path(sys.argv[1]).read_bytes())
    result = {"load": this.load, "send_sequences": this.send_sequences}[function](**kwargs)
    Path(sys.argv[2]).write_bytes(pickle.dumps(result))


if __name__ == "__main__":
    _main()
