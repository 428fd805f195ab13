"""1. Slash command ack latency over loopback HTTP: the bot against a bare slack-bolt app.

`/resource help` is signed and POSTed as Slack sends it, one request at a time on a kept-alive
connection, to `resourcebot serve` (a process of its own, on the Slack stand-in and its built-in
Infobip sandbox) and to `bench.servers bare-bolt` (a bare AsyncApp on Starlette +
AsyncSlackRequestHandler + uvicorn whose handler only acks). `help` is answered from the ack
itself, with no provider or Slack call. The two servers take turns in rounds, so drift in the
machine's speed hits both alike.

Alone: `python -m bench ack` (add `--quick` for a short run).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import httpx

from bench.common import Figure, Result, ServerProcess, bot_env, percentile, slash_command
from bot.sandbox.slack.web_api import SlackStandIn


def start_bot_serve(standin: SlackStandIn, workdir: Path, **settings: str) -> tuple[ServerProcess, str]:
    """`python -m bot serve --port 0` (what `resourcebot serve` runs); returns it and its URL.
    `settings`: more of the bot's environment (RESOURCEBOT_…=value)."""
    server = ServerProcess(
        ["-m", "bot", "serve", "--port", "0"],
        env=bot_env(standin.api_url, workdir / "bot.sqlite3", **settings),
        cwd=workdir,
    )
    line = server.wait_for_log("resourcebot listening on ")
    url = line.split("listening on ", 1)[1].split()[0]
    server.info["url"] = url
    return server, url


def _measure(client: httpx.Client, url: str, count: int, text: str) -> list[float]:
    samples = []
    for _ in range(count):
        body, headers = slash_command(text)
        started = time.perf_counter()
        response = client.post(url, content=body, headers=headers)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.text[:200]}")
        samples.append(elapsed * 1000)
    return samples


def run(requests: int = 2000, rounds: int = 5, warmup: int = 200) -> Result:
    result = Result("ack")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-ack-") as tmp, SlackStandIn() as standin:
        workdir = Path(tmp)
        bot, bot_url = start_bot_serve(standin, workdir)
        bare = ServerProcess(
            ["-m", "bench.servers", "bare-bolt"], env=bot_env(standin.api_url, workdir / "unused.sqlite3")
        ).ready()
        try:
            targets = {"bot": bot_url + "/slack/events", "bare": bare.url + "/slack/events"}
            samples: dict[str, list[float]] = {"bot": [], "bare": []}
            with httpx.Client(timeout=10) as bot_client, httpx.Client(timeout=10) as bare_client:
                clients = {"bot": bot_client, "bare": bare_client}
                for name, url in targets.items():  # warm up: connections, Bolt's auth.test, caches
                    _measure(clients[name], url, warmup, "help")
                idle = {"bot": bot.rss_mib(), "bare": bare.rss_mib()}
                per_round = max(1, requests // rounds)
                for _ in range(rounds):
                    for name, url in targets.items():
                        samples[name] += _measure(clients[name], url, per_round, "help")
                body, headers = slash_command("help")
                answer = bot_client.post(targets["bot"], content=body, headers=headers).json()
        finally:
            bot.stop()
            bare.stop()
    p = {name: {q: percentile(values, q) for q in (50, 99)} for name, values in samples.items()}
    result.figures += [
        Figure(
            "1. ack `/resource help` p50",
            p["bot"][50],
            p["bare"][50],
            "ms",
            "ratio <= 1.3",
            met=p["bot"][50] / p["bare"][50] <= 1.3,
        ),
        Figure(
            "1. ack `/resource help` p99",
            p["bot"][99],
            p["bare"][99],
            "ms",
            "ratio <= 1.3",
            met=p["bot"][99] / p["bare"][99] <= 1.3,
        ),
    ]
    result.details = {
        "requests_each": len(samples["bot"]),
        "percentiles_ms": p,
        "rss_idle_mib": idle,
        "bot_answer_starts": str(answer.get("text", ""))[:60],
    }
    result.seconds = time.monotonic() - started
    return result
