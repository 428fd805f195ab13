"""The command line as a user runs it: real processes, real ports."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx

BASE_ENV = {
    k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "INFOBIP_", "CM_", "PUBLIC_URL", "RESOURCEBOT_"))
}


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        check=False,
        env={**BASE_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=os.getcwd(),
    )


def test_settings_problems_are_all_reported_by_name_without_traceback_or_secret(tmp_path):
    result = run_cli(
        "sandbox",
        env={
            "SLACK_BOT_TOKEN": "xoxp-this-is-a-user-token-secret",
            "SLACK_API_URL": "not a url",
            "RESOURCEBOT_ADMINS": "U012ABCDEF,someone",
            "INFOBIP_BASE_URL": "https://abc.api.infobip.com",
        },
    )
    assert result.returncode == 2
    err = result.stderr
    assert "SLACK_BOT_TOKEN: must be a bot token starting with xoxb-" in err
    assert "SLACK_API_URL:" in err
    assert "RESOURCEBOT_ADMINS:" in err and "someone" in err
    assert "INFOBIP_API_KEY: missing" in err
    assert "Traceback" not in err
    assert "this-is-a-user-token-secret" not in err + result.stdout


def test_sandbox_command_starts_on_a_free_port_and_serves_the_api(tmp_path):
    env = {**BASE_ENV, "INFOBIP_API_KEY": "cli-test-key", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox", "--port", "0", "--step", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 20
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            match = re.search(r"listening on (http://\S+?),", line)
            if match:
                url = match.group(1)
        assert url, "the sandbox did not log its URL"
        assert "cli-test-key" not in line, "a configured API key must not be logged"
        assert httpx.get(f"{url}/healthz").json() == {"ok": True}
        denied = httpx.get(f"{url}/resources/1/requests")
        assert denied.status_code == 401 and denied.json()["errorCode"] == "E401"
        allowed = httpx.get(f"{url}/resources/1/requests", headers={"Authorization": "App cli-test-key"})
        assert allowed.status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)


def test_demo_plays_its_four_stories_and_prints_the_threads():
    result = run_cli("demo", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    # What a new operator sees first: nothing that looks like a failure.
    for marker in ("ERROR", "Traceback"):
        assert marker not in out + result.stderr, result.stdout + result.stderr
    assert "Sender ID registration · Croatia (HR)" in out and "Number purchase · United States (US)" in out
    # Four request roots and their last replies, and the two countries' lines of the summary.
    assert out.count("🟢 Completed") == 6 and out.count("🟢 *Completed.*") == 4
    assert "The website must be served over HTTPS." in out and "sent an update" in out
    assert "Saved profile Acme: the next request form offers it at the top." in out  # what she sent, kept
    assert "+1 317-" in out  # the Indiana 10DLC numbers asked for
    # The third story: a purchase that waits for Bob's approval, asked for once, approved, bought.
    assert "Purchases need an approval: @bob will decide" in out and "Why: Support line for the UK launch" in out
    assert out.count("[Approve] [Deny]") == 1 and out.count("Approved by @bob at") == 2
    assert "went through: the number is the account's" in out
    # The fourth: one form for Serbia and Slovenia filled from profile Acme, a request and thread
    # each (the profile's document reused for both, not uploaded again), one summary.
    assert "`RS:vatNumber`" in out and "`SI:vatNumber`" in out and "`companyName`" in out
    assert "Filled 8 of 11 fields from profile Acme. 2 values don't meet a country's rules" in out
    for country in ("RS", "SI"):
        assert f"`{country}:companyRegistrationDocument`: Using acme-registration-extract.pdf from profile Acme" in out
    assert "nothing uploaded again" in out and out.count("companyName: Acme d.o.o.") == 2
    assert "Sender ID registration · Serbia (RS)" in out and "Sender ID registration · Slovenia (SI)" in out
    assert "requested sender *ACME* in 2 countries" in out and out.count("Completed — thread") == 2


def test_serve_refuses_the_real_service_without_webhook_credentials():
    result = run_cli(
        "serve",
        "--port",
        "0",
        env={
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "INFOBIP_BASE_URL": "https://abc.api.infobip.com",
            "INFOBIP_API_KEY": "k",
        },
    )
    assert result.returncode == 2 and "INFOBIP_WEBHOOK_USERNAME" in result.stderr


def test_serve_without_infobip_settings_starts_the_sandbox_and_says_so_in_one_line(tmp_path):
    from bot.sandbox.slack.web_api import SlackStandIn

    with SlackStandIn() as slack:
        env = {
            **BASE_ENV,
            "SLACK_BOT_TOKEN": slack.config.bot_token,
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": slack.api_url,
            "RESOURCEBOT_DB": str(tmp_path / "bot.sqlite3"),
            "PYTHONUNBUFFERED": "1",
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", "0"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            lines, url = [], None
            deadline = time.monotonic() + 20
            while url is None and time.monotonic() < deadline:
                lines.append(proc.stdout.readline())
                match = re.search(r"resourcebot listening on (http://\S+) ", lines[-1])
                url = match.group(1) if match else None
            assert url, "".join(lines)
            sandbox_lines = [line for line in lines if "built-in Infobip sandbox" in line]
            assert len(sandbox_lines) == 1
            health = httpx.get(f"{url}/healthz")
            assert health.json() == {"ok": True, "outbox_pending": 0}
            assert httpx.post(f"{url}/webhooks/infobip", json={"results": []}).status_code == 401
            assert (tmp_path / "bot.sqlite3").exists()
        finally:
            proc.terminate()
            proc.wait(10)


def test_audit_lists_recorded_changes_as_a_table_and_as_csv(tmp_path):
    from bot.store.audit import record_audit
    from bot.store.db import open_database

    db_path = tmp_path / "bot.sqlite3"
    db = open_database(db_path)
    record_audit(
        db,
        actor="U0ADMIN001",
        action="number.purchase",
        target="+44 7700 900123",
        details={"price": {"pricePerMonth": 1.5, "currency": "EUR"}},
    )
    record_audit(
        db,
        actor="U0ADMIN001",
        action="association.create",
        target="NUMBER ABC123",
        after={"applicationId": "marketing"},
    )
    db.close()
    env = {"RESOURCEBOT_DB": str(db_path)}
    table = run_cli("audit", env=env)
    assert table.returncode == 0
    assert "number.purchase" in table.stdout and "association.create" in table.stdout
    only_numbers = run_cli("audit", "--action", "number.", "--csv", env=env)
    lines = only_numbers.stdout.strip().splitlines()
    assert lines[0].startswith("at,actor,action,target") and len(lines) == 2
    assert "+44 7700 900123" in lines[1] and "pricePerMonth" in lines[1]
    empty = run_cli("audit", "--since", "2999-01-01", env=env)
    assert empty.returncode == 0 and "No changes recorded" in empty.stdout
