"""`resourcebot check` as an operator runs it: a real process against the stand-ins, one test per
misconfiguration it must name — once, without the secret, with exit 2."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.background_server import BackgroundServer
from bot.sandbox.cm import CmSandbox, CmSandboxConfig
from bot.sandbox.cm import create_app as create_cm_app
from bot.sandbox.slack.web_api import SlackStandIn
from tests.test_cli import run_cli

CM_TOKEN = "cm-check-token-0123456789"
CM_ACCOUNT = "0d9c8b7a-6f5e-4d3c-8b2a-19f8e7d6c5b4"


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def cm() -> Iterator[str]:
    config = CmSandboxConfig(product_token=CM_TOKEN, account_id=CM_ACCOUNT)
    with BackgroundServer(create_cm_app(CmSandbox(config))) as running:
        yield running.url


@pytest.fixture
def env(slack, start_sandbox, tmp_path) -> dict[str, str]:
    infobip = start_sandbox()
    return {
        "SLACK_BOT_TOKEN": slack.config.bot_token,
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": slack.api_url,
        "INFOBIP_BASE_URL": infobip.url,
        "INFOBIP_API_KEY": infobip.api_key,
        "INFOBIP_WEBHOOK_USERNAME": "infobip",
        "INFOBIP_WEBHOOK_PASSWORD": "hook-secret",
        "RESOURCEBOT_DB": str(tmp_path / "data" / "bot.sqlite3"),
    }


def check(env: dict[str, str]):
    result = run_cli("check", env=env)
    problems = [line for line in result.stdout.splitlines() if line.startswith("PROBLEM")]
    assert len(problems) == len(set(problems)), result.stdout  # each named once
    return result, problems


def test_a_healthy_setup_passes_every_check(env):
    result, problems = check(env)
    assert result.returncode == 0 and problems == [], result.stdout + result.stderr
    for line in (
        "ok       Slack: connected as @resourcebot",
        "ok       Slack: the bot has every scope",
        "ok       Database:",
        "ok       Infobip:",
    ):
        assert line in result.stdout


def test_a_revoked_bot_token_is_named(env):
    result, problems = check({**env, "SLACK_BOT_TOKEN": "xoxb-revoked-token-value"})
    assert result.returncode == 2
    assert problems == [
        (
            "PROBLEM  SLACK_BOT_TOKEN: Slack refused it (invalid_auth); copy the Bot User OAuth "
            "Token of the installed app"
        )
    ]
    assert "revoked-token-value" not in result.stdout + result.stderr


def test_scopes_the_app_was_not_granted_are_named_with_what_they_are_for(env, slack):
    slack.config.bot_scopes = tuple(s for s in slack.config.bot_scopes if s not in ("mpim:history", "files:read"))
    result, problems = check(env)
    assert result.returncode == 2
    [problem] = problems
    assert "SLACK_BOT_TOKEN: the app lacks" in problem
    assert "mpim:history" in problem and "files:read (documents attached in the request forms)" in problem
    assert "chat:write " not in problem


def test_usergroups_read_is_needed_only_when_a_user_group_approves(env, slack):
    # An app installed before approvals existed keeps passing until a group decides.
    slack.config.bot_scopes = tuple(s for s in slack.config.bot_scopes if s != "usergroups:read")
    result, problems = check(env)
    assert result.returncode == 0 and problems == []
    result, problems = check({**env, "RESOURCEBOT_APPROVERS": "S0APPROVERS"})
    assert result.returncode == 2
    [problem] = problems
    assert "usergroups:read (the members of user groups named in RESOURCEBOT_APPROVERS)" in problem


def test_a_database_path_the_bot_cannot_write_names_the_user_id(env, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the database's directory should be")
    result, problems = check({**env, "RESOURCEBOT_DB": str(blocker / "bot.sqlite3")})
    assert result.returncode == 2
    [problem] = problems
    assert problem.startswith(f"PROBLEM  RESOURCEBOT_DB: cannot write {blocker / 'bot.sqlite3'}")
    assert f"user id {os.getuid()}" in problem and "chown" in problem


def test_the_database_check_leaves_no_table_behind(env, tmp_path):
    result, _ = check(env)
    assert result.returncode == 0
    conn = sqlite3.connect(tmp_path / "data" / "bot.sqlite3")
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'check_scratch'").fetchall() == []
    conn.close()


def test_a_wrong_infobip_key_is_named(env):
    result, problems = check({**env, "INFOBIP_API_KEY": "wrong-key-value"})
    assert result.returncode == 2
    assert problems == [
        ("PROBLEM  INFOBIP_API_KEY: Infobip refused it (401); it needs the resource-request and numbers scopes")
    ]
    assert "wrong-key-value" not in result.stdout + result.stderr


def test_a_server_that_is_not_infobip_is_not_taken_for_a_healthy_account(env):
    async def anything(request):
        return JSONResponse({})

    fake = Starlette(routes=[Route("/{path:path}", anything, methods=["GET", "POST"])])
    with BackgroundServer(fake) as server:
        result, problems = check({**env, "INFOBIP_BASE_URL": server.url})
    assert result.returncode == 2
    [problem] = problems
    assert problem.startswith(f"PROBLEM  INFOBIP_BASE_URL: {server.url} answered, but not as Infobip does")


def test_missing_webhook_credentials_are_named(env):
    result, problems = check({**env, "INFOBIP_WEBHOOK_USERNAME": "", "INFOBIP_WEBHOOK_PASSWORD": ""})
    assert result.returncode == 2
    [problem] = problems
    assert problem.startswith("PROBLEM  INFOBIP_WEBHOOK_USERNAME, INFOBIP_WEBHOOK_PASSWORD: missing")


def test_cm_is_tried_when_configured(env, cm):
    configured = {**env, "CM_BASE_URL": cm, "CM_PRODUCT_TOKEN": CM_TOKEN, "CM_ACCOUNT_ID": CM_ACCOUNT}
    result, problems = check(configured)
    assert result.returncode == 0 and problems == [], result.stdout
    assert f"ok       CM.com: {cm} answers for account {CM_ACCOUNT}" in result.stdout
    assert "does not use CM.com" not in result.stdout

    result, problems = check({**configured, "CM_PRODUCT_TOKEN": "cm-wrong-token-value"})
    assert result.returncode == 2
    [problem] = problems
    assert problem.startswith("PROBLEM  CM_PRODUCT_TOKEN: CM.com refused it (401)")
    assert "cm-wrong-token-value" not in result.stdout + result.stderr


def test_a_malformed_cm_account_id_is_reported_once(env, cm):
    result = run_cli(
        "check", env={**env, "CM_BASE_URL": cm, "CM_PRODUCT_TOKEN": CM_TOKEN, "CM_ACCOUNT_ID": "not-a-guid"}
    )
    assert result.returncode == 2
    assert result.stderr.count("CM_ACCOUNT_ID") == 1, result.stderr


def test_malformed_profile_managers_are_named(env):
    result = run_cli("check", env={**env, "RESOURCEBOT_PROFILE_MANAGERS": "U012ABCDEF,acme-admin"})
    assert result.returncode == 2
    assert result.stderr.count("RESOURCEBOT_PROFILE_MANAGERS") == 1 and "acme-admin" in result.stderr, result.stderr


def test_an_unreachable_slack_is_named(env):
    result, problems = check({**env, "SLACK_API_URL": "http://127.0.0.1:9/api/"})
    assert result.returncode == 2
    assert any(p.startswith("PROBLEM  SLACK_API_URL: Slack could not be reached") for p in problems)


def test_socket_mode_is_tried_with_the_app_token(env, slack):
    result, problems = check({**env, "SLACK_APP_TOKEN": slack.config.app_token})
    assert result.returncode == 0 and problems == [], result.stdout + result.stderr
    assert "ok       Slack: Socket Mode connection opened and closed" in result.stdout
    assert slack.socket_mode.wait_for(lambda server: not server.connections(), timeout=5)  # closed again


def test_a_revoked_app_token_is_named(env, slack):
    slack.socket_mode.refuse_token()
    result, problems = check({**env, "SLACK_APP_TOKEN": slack.config.app_token})
    assert result.returncode == 2
    [problem] = problems
    assert problem.startswith("PROBLEM  SLACK_APP_TOKEN: Slack refused it (invalid_auth)")
    assert slack.config.app_token not in result.stdout + result.stderr


def test_a_negative_requirements_cache_time_is_reported_once(env):
    result = run_cli("check", env={**env, "RESOURCEBOT_REQUIREMENTS_CACHE_SECONDS": "-1"})
    assert result.returncode == 2
    assert result.stderr.count("RESOURCEBOT_REQUIREMENTS_CACHE_SECONDS") == 1, result.stderr
    assert run_cli("check", env={**env, "RESOURCEBOT_REQUIREMENTS_CACHE_SECONDS": "0"}).returncode == 0
