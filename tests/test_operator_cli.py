"""What an operator meets first: --version, --help, HOST/PORT, and the logs' level and format.
Real processes on real ports, except where a formatter is checked on its own."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest

from bot.logging_setup import MASK, JsonFormatter, configure_from_settings
from bot.sandbox.slack.web_api import SlackStandIn
from bot.settings import Settings, load_settings

BASE_ENV = {
    k: v
    for k, v in os.environ.items()
    if not k.startswith(("SLACK_", "INFOBIP_", "CM_", "PUBLIC_URL", "RESOURCEBOT_")) and k not in ("HOST", "PORT")
}
LISTENING = re.compile(r"resourcebot listening on http://([\d.]+):(\d+) ")


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        check=False,
        env={**BASE_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class Serving:
    """`resourcebot serve` in a process of its own, its output read line by line as it comes."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", *args],
            env={**BASE_ENV, "PYTHONUNBUFFERED": "1", **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, pattern: re.Pattern[str] | str, timeout: float = 20) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                break
            self.lines.append(line)
            if match := re.search(pattern, line):
                return match
        raise AssertionError(f"no line matching {pattern!r}; got:\n{''.join(self.lines)}")

    def stop(self) -> str:
        """Stop it; everything it wrote."""
        self.proc.terminate()
        self.proc.wait(10)
        while (line := self._queue.get(timeout=5)) is not None:
            self.lines.append(line)
        return "".join(self.lines)


@pytest.fixture
def slack():
    with SlackStandIn() as standin:
        yield standin


def bot_env(slack: SlackStandIn, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": slack.config.bot_token,
        "SLACK_SIGNING_SECRET": "operator-test-signing-secret",
        "SLACK_API_URL": slack.api_url,
        "RESOURCEBOT_DB": str(tmp_path / "bot.sqlite3"),
        **extra,
    }


# ---- --version and --help ------------------------------------------------------------------


def test_version_prints_the_installed_package_version():
    expected = f"resourcebot {version('resourcebot')}"
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == expected
    script = Path(sys.executable).with_name("resourcebot")  # the console script, beside this Python
    if script.exists():
        assert (
            subprocess.run(
                [str(script), "--version"], check=False, capture_output=True, text=True, env=BASE_ENV, timeout=30
            ).stdout.strip()
            == expected
        )


def test_help_names_every_setting_and_where_settings_come_from():
    result = run_cli("--help")
    assert result.returncode == 0
    out = result.stdout
    missing = [field.upper() for field in Settings.model_fields if field.upper() not in out]
    assert missing == [], f"--help does not name {missing}"
    assert "environment" in out and ".env file" in out and ".env.example" in out
    assert "--version" in out and all(command in out for command in ("serve", "audit", "check", "demo", "sandbox"))


@pytest.mark.parametrize(
    "command, needs",
    [
        (
            "serve",
            [
                "SLACK_BOT_TOKEN",
                "SLACK_SIGNING_SECRET",
                "INFOBIP_WEBHOOK_USERNAME",
                "built-in sandbox",
                "default: HOST",
                "default: PORT",
            ],
        ),
        ("audit", ["RESOURCEBOT_DB"]),
        ("check", ["SLACK_BOT_TOKEN", "Exit 2"]),
        ("demo", ["Needs: nothing"]),
        ("sandbox", ["Needs: nothing", "INFOBIP_API_KEY", "INFOBIP_WEBHOOK_USERNAME"]),
    ],
)
def test_each_command_help_says_what_it_needs(command, needs):
    out = " ".join(run_cli(command, "--help").stdout.split())  # argparse wraps lines: compare words
    assert [need for need in needs if need not in out] == []


# ---- HOST and PORT -----------------------------------------------------------------------------


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def test_serve_listens_where_host_and_port_say(slack, tmp_path):
    port = _free_port("127.0.0.2")  # not the default address: proves HOST was read (all of 127/8 is loopback)
    serving = Serving([], bot_env(slack, tmp_path, HOST="127.0.0.2", PORT=str(port)))
    try:
        host, seen = serving.wait_for(LISTENING).groups()
        assert (host, int(seen)) == ("127.0.0.2", port)
        assert httpx.get(f"http://127.0.0.2:{port}/healthz", timeout=5).json()["ok"] is True
    finally:
        serving.stop()


def test_flags_win_over_host_and_port(slack, tmp_path):
    with socket.socket() as taken:  # PORT names a port already in use: serving there would fail
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        serving = Serving(
            ["--host", "127.0.0.1", "--port", "0"], bot_env(slack, tmp_path, HOST="192.0.2.1", PORT=str(port))
        )
        try:
            host, seen = serving.wait_for(LISTENING).groups()
            assert host == "127.0.0.1" and int(seen) not in (0, port)
        finally:
            serving.stop()


def test_a_malformed_port_is_a_settings_problem_by_name(slack, tmp_path):
    result = run_cli("serve", env=bot_env(slack, tmp_path, PORT="eighty"))
    assert result.returncode == 2 and "PORT:" in result.stderr and "Traceback" not in result.stderr


# ---- logs ----------------------------------------------------------------------------------------


def test_json_logs_are_one_object_per_line_and_carry_no_secret(slack, tmp_path):
    webhook_password = "json-logs-webhook-password-77d1"
    env = bot_env(
        slack,
        tmp_path,
        RESOURCEBOT_LOG_FORMAT="json",
        RESOURCEBOT_LOG_LEVEL="info",
        INFOBIP_WEBHOOK_USERNAME="infobip",
        INFOBIP_WEBHOOK_PASSWORD=webhook_password,
    )
    serving = Serving(["--port", "0"], env)
    try:
        host, port = serving.wait_for(LISTENING).groups()
        # A webhook about a request the bot does not know: a WARNING line, after authentication.
        auth = base64.b64encode(f"infobip:{webhook_password}".encode()).decode()
        answer = httpx.post(
            f"http://{host}:{port}/webhooks/infobip",
            timeout=10,
            headers={"Authorization": f"Basic {auth}"},
            json={
                "results": [
                    {
                        "event": "RESOURCE_REQUEST_STATUS_UPDATE",
                        "receivedAt": "2026-01-05T10:00:00.000+0000",
                        "content": {
                            "id": "0b5e7c1a-0000-4000-8000-00000000dead",
                            "status": "COMPLETED",
                            "type": "NUMBER_PURCHASE",
                            "requirementsFeedback": [],
                        },
                    }
                ]
            },
        )
        assert answer.status_code == 200, answer.text
        serving.wait_for("unknown request")
    finally:
        output = serving.stop()
    entries = [json.loads(line) for line in output.splitlines() if line.strip()]  # every line is JSON
    assert len(entries) >= 3  # the sandbox line, the listening line, the warning
    for entry in entries:
        assert {"time", "level", "logger", "message"} <= entry.keys(), entry
        assert datetime.fromisoformat(entry["time"]).tzinfo is not None
    assert any(e["level"] == "WARNING" and e["logger"] == "bot.server" and "dead" in e["message"] for e in entries)
    for secret in (webhook_password, env["SLACK_SIGNING_SECRET"], env["SLACK_BOT_TOKEN"]):
        assert secret not in output


def test_an_unknown_log_level_is_a_settings_problem_by_name():
    result = run_cli("sandbox", "--port", "0", env={"RESOURCEBOT_LOG_LEVEL": "LOUD"})
    assert result.returncode == 2 and "RESOURCEBOT_LOG_LEVEL:" in result.stderr


@pytest.fixture
def root_logger():
    """The root logger as it was, back after the test (configure_logging changes it)."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_log_level_and_format_come_from_the_settings(root_logger):
    configure_from_settings(
        load_settings(_env_file=None, resourcebot_log_level="warning", resourcebot_log_format="json")
    )
    assert root_logger.level == logging.WARNING
    assert any(isinstance(h.formatter, JsonFormatter) for h in root_logger.handlers)
    configure_from_settings(None)  # settings unreadable: the defaults, and still one handler of ours
    assert root_logger.level == logging.INFO
    assert not any(isinstance(h.formatter, JsonFormatter) for h in root_logger.handlers)


def test_json_entries_carry_the_exception_text_and_mask_configured_secrets():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(secrets=["xoxb-very-secret-token"]))
    logger = logging.getLogger("tests.operator.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise RuntimeError("Slack said no to xoxb-very-secret-token")
        except RuntimeError:
            logger.exception("call failed with token %s", "xoxb-very-secret-token")
    finally:
        logger.removeHandler(handler)
    [line] = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "tests.operator.json"
    assert entry["message"] == f"call failed with token {MASK}"
    assert "Traceback" in entry["exception"] and "RuntimeError: Slack said no to" in entry["exception"]
    assert "xoxb-very-secret-token" not in line
