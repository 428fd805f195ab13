"""5. Start-up time of `resourcebot serve` and its resident memory when idle.

The clock runs from starting the process to `/healthz` answering 200 (polled every 10 ms on a
port picked beforehand), with the built-in Infobip sandbox (no INFOBIP_BASE_URL) and a fresh
database, so migrations run too. The baseline is the bare slack-bolt app of benchmark 1 on the
same stack (`bench.servers bare-bolt`, with a /healthz route). Idle memory is VmRSS one second
after /healthz first answered, before any other request. Runs alternate; medians are reported.

Alone: `python -m bench startup` (add `--quick` for one run each).
"""

from __future__ import annotations

import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure, Result, ServerProcess, bot_env, wait_http


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve_command(port: int) -> list[str]:
    """`resourcebot serve` through its console script (next to this Python), else `python -m bot serve`."""
    script = Path(sys.executable).with_name("resourcebot")
    if script.exists():
        return [str(script), "serve", "--port", str(port)]
    return [sys.executable, "-m", "bot", "serve", "--port", str(port)]


def _once(kind: str, workdir: Path) -> tuple[float, float | None]:
    port = _free_port()
    env = bot_env("http://127.0.0.1:9/api/", workdir / f"{kind}-{port}.sqlite3")
    if kind == "bot":
        command = _serve_command(port)
    else:
        command = [sys.executable, "-m", "bench.servers", "--port", str(port), "bare-bolt"]
    server = ServerProcess(command[1:], env=env, cwd=workdir, executable=command[0])
    try:
        answered = wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
        seconds = answered - server.started_at
        time.sleep(1.0)
        return seconds, server.rss_mib()
    finally:
        server.stop()


def run(runs: int = 3) -> Result:
    result = Result("startup")
    started = time.monotonic()
    times: dict[str, list[float]] = {"bot": [], "bare": []}
    rss: dict[str, list[float]] = {"bot": [], "bare": []}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        for _ in range(runs):
            for kind in ("bot", "bare"):
                seconds, memory = _once(kind, Path(tmp))
                times[kind].append(seconds * 1000)
                if memory is not None:
                    rss[kind].append(memory)
    median = {k: statistics.median(v) for k, v in times.items()}
    result.figures += [
        Figure("5. `resourcebot serve` start → /healthz 200", median["bot"], median["bare"], "ms"),
        Figure(
            "5. RSS idle (just started)",
            statistics.median(rss["bot"]) if rss["bot"] else None,
            statistics.median(rss["bare"]) if rss["bare"] else None,
            "MiB",
            note="bare: bare-bolt",
        ),
    ]
    result.details = {
        "startup_ms": {k: [round(x) for x in v] for k, v in times.items()},
        "rss_idle_mib": {k: [round(x, 1) for x in v] for k, v in rss.items()},
    }
    result.seconds = time.monotonic() - started
    return result
