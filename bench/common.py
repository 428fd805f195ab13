"""What every benchmark shares: results, percentiles, the machine, server processes, signing."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import platform
import queue
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "bench-signing-secret-not-a-real-one"
WEBHOOK_USER, WEBHOOK_PASSWORD = "bench", "bench-webhook-password"
INFOBIP_KEY = "bench0000000000000000000000000key"


@dataclass
class Figure:
    """One row of the table: the bot's value, the baseline's, and the target."""

    name: str
    bot: float | None
    baseline: float | None = None
    unit: str = ""
    target: str = ""  # e.g. "ratio <= 1.3", "p99 <= 300 ms", "" for context rows
    met: bool | None = None  # None: no target
    ratio: float | None = None  # bot / baseline unless set
    note: str = ""

    def __post_init__(self) -> None:
        if self.ratio is None and self.bot is not None and self.baseline:
            self.ratio = self.bot / self.baseline


@dataclass
class Result:
    """What one benchmark returns: its rows plus anything worth keeping (raw numbers, checks)."""

    bench: str
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0..100), nearest-rank on sorted values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


def machine() -> dict[str, str]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": str(os.cpu_count() or "?"),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
    }


def rss_mib(pid: int) -> float | None:
    """Resident set size of a process (VmRSS), in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# ---- Slack requests -------------------------------------------------------------------------


def sign(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def slash_command(
    text: str,
    *,
    trigger_id: str | None = None,
    user: str = "U0ALICE001",
    channel: str = "C0GENERAL1",
    team: str = "T0STANDIN1",
    response_url: str = "http://127.0.0.1:9/hooks/commands/x",
) -> tuple[bytes, dict[str, str]]:
    """A `/resource <text>` request as Slack sends it: form body and signed headers."""
    fields = {
        "token": "standinVerificationToken0",
        "team_id": team,
        "team_domain": "standin",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": "alice",
        "command": "/resource",
        "text": text,
        "api_app_id": "A0STANDIN1",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or f"{int(time.time())}.1.{secrets.token_hex(16)}",
    }
    body = urlencode(fields).encode()
    timestamp = int(time.time())
    return body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign(body, timestamp),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }


# ---- server processes ----------------------------------------------------------------------


class ServerProcess:
    """A server in its own process (its own GIL), started with `python -m …`.

    The child prints one JSON line starting with `BENCH ` once it listens; `info` holds it.
    `resourcebot serve` prints no such line: `wait_for_log` finds its address in the log instead.
    """

    def __init__(
        self,
        args: list[str],
        *,
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
        executable: str | None = None,
    ):
        self.args = args
        self.started_at = time.monotonic()
        full_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "INFOBIP_", "CM_", "RESOURCEBOT_", "PUBLIC_URL"))
        }
        full_env.update({"PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT), **(env or {})})
        self.proc = subprocess.Popen(
            [executable or sys.executable, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=full_env,
            cwd=str(cwd or ROOT),
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        self.info: dict[str, Any] = {}
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.log.append(line.rstrip())
            self.lines.put(line)
        self.lines.put("")

    def wait_for_log(self, needle: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(
                    f"{self.args}: no {needle!r} in the log within {timeout}s:\n" + "\n".join(self.log[-20:])
                )
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line == "":
                raise RuntimeError(f"{self.args} exited ({self.proc.wait()}):\n" + "\n".join(self.log[-30:]))
            if needle in line:
                return line

    def ready(self, timeout: float = 30.0) -> ServerProcess:
        line = self.wait_for_log("BENCH ", timeout)
        self.info = json.loads(line.split("BENCH ", 1)[1])
        return self

    @property
    def url(self) -> str:
        return self.info["url"]

    @property
    def pid(self) -> int:
        return self.proc.pid

    def rss_mib(self) -> float | None:
        return rss_mib(self.proc.pid)

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def announce(**info: Any) -> None:
    """Called in a server child once it listens: the parent's `ready()` reads this line."""
    print("BENCH " + json.dumps({"pid": os.getpid(), **info}), flush=True)


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """The predicate's first truthy value, polled every `interval`; TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


def wait_http(url: str, timeout: float = 30.0, interval: float = 0.01) -> float:
    """Poll GET url until it answers 200; returns when (monotonic)."""
    import httpx

    def answered() -> float | None:
        try:
            # the moment it answered, taken at once: startup times are measured with it
            return time.monotonic() if client.get(url).status_code == 200 else None
        except httpx.TransportError:
            return None

    with httpx.Client(timeout=2.0) as client:
        return wait_until(answered, timeout, f"{url} to answer 200", interval)


def bot_env(slack_api_url: str, db: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot process on the Slack stand-in and the built-in Infobip sandbox."""
    return {
        "SLACK_BOT_TOKEN": "xoxb-0000000000-standin-bot-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api_url,
        "RESOURCEBOT_DB": str(db),
        "INFOBIP_API_KEY": INFOBIP_KEY,
        "INFOBIP_WEBHOOK_USERNAME": WEBHOOK_USER,
        "INFOBIP_WEBHOOK_PASSWORD": WEBHOOK_PASSWORD,
        **extra,
    }
