"""`resourcebot check`: are the settings right, and do Slack, the database and each provider work?

It does what `serve` will do, once: auth.test with the bot token (and compares the scopes Slack
says were granted with what the bot needs), a Socket Mode connection when SLACK_APP_TOKEN is set
(opened, greeted, closed), a scratch table created and dropped in RESOURCEBOT_DB, a read from
Infobip whose answer must look like Infobip's, and one from CM.com when it is configured.

Every problem is listed once (never a secret's value), with what to do about it; the exit code is
2 when there is any, so a deploy script can stop before starting a bot that cannot work.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.providers.cm.client import CmAPIError, CmClient, CmError
from bot.providers.infobip import InfobipClient
from bot.providers.infobip.errors import InfobipAPIError, InfobipError
from bot.services import slack_client
from bot.settings import Settings
from bot.slack.scopes import APP_TOKEN_SCOPE, BOT_SCOPES, missing_scopes
from bot.store.db import connect

Report = Callable[[str], None]
SOCKET_HELLO_SECONDS = 10.0


async def _check_slack(settings: Settings, ok: Report, problem: Report) -> None:
    client = slack_client(settings, retries=False)
    try:
        answer = await client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error") or error.response.status_code
        problem(f"SLACK_BOT_TOKEN: Slack refused it ({code}); copy the Bot User OAuth Token of the installed app")
        return
    except Exception as error:  # noqa: BLE001 - any network failure is a finding, not a crash
        problem(f"SLACK_API_URL: Slack could not be reached ({type(error).__name__}: {error})")
        return
    ok(f"Slack: connected as @{answer.get('user')} in {answer.get('team')}")
    headers = {name.lower(): value for name, value in (answer.headers or {}).items()}
    if "x-oauth-scopes" not in headers:
        problem("SLACK_API_URL: Slack's answer names no granted scopes (no X-OAuth-Scopes header); is it Slack?")
        return
    groups = any(approver.startswith("S") for approver in settings.resourcebot_approvers)
    missing = missing_scopes(headers["x-oauth-scopes"], frozenset({"usergroups:read"} if groups else ()))
    if missing:
        problem(
            "SLACK_BOT_TOKEN: the app lacks "
            + ", ".join(f"{s} ({BOT_SCOPES[s]})" for s in missing)
            + "; add them under OAuth & Permissions (or import manifest.yml again) and reinstall the app"
        )
    else:
        ok(f"Slack: the bot has every scope it needs ({len(BOT_SCOPES)})")


async def _check_socket_mode(settings: Settings, ok: Report, problem: Report) -> None:
    """Open a Socket Mode connection as `serve` would, wait for Slack's hello, close it."""
    assert settings.slack_app_token is not None
    client = AsyncWebClient(
        token=settings.slack_app_token.get_secret_value(), base_url=settings.slack_api_url, timeout=15
    )
    try:
        answer = await client.apps_connections_open(app_token=settings.slack_app_token.get_secret_value())
    except SlackApiError as error:
        code = error.response.get("error") or error.response.status_code
        problem(
            f"SLACK_APP_TOKEN: Slack refused it ({code}); create an app-level token with the "
            f"{APP_TOKEN_SCOPE} scope under Basic Information → App-Level Tokens, and turn Socket Mode on"
        )
        return
    except Exception as error:  # noqa: BLE001
        problem(f"SLACK_API_URL: Slack could not be reached for Socket Mode ({type(error).__name__}: {error})")
        return
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(answer["url"], timeout=aiohttp.ClientWSTimeout(ws_close=5)) as socket,
        ):
            message = await socket.receive_json(timeout=SOCKET_HELLO_SECONDS)
            await socket.close()
    except (TimeoutError, aiohttp.ClientError, TypeError, ValueError) as error:
        problem(f"SLACK_APP_TOKEN: the Socket Mode connection failed ({type(error).__name__}: {error})")
        return
    if not isinstance(message, dict) or message.get("type") != "hello":
        problem("SLACK_APP_TOKEN: the Socket Mode connection opened but Slack did not say hello")
        return
    ok("Slack: Socket Mode connection opened and closed")


def _check_database(settings: Settings, ok: Report, problem: Report) -> None:
    """Write to RESOURCEBOT_DB as `serve` will: the file, its WAL files beside it, a table."""
    path = Path(settings.resourcebot_db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = connect(path)
        try:
            db.conn.execute("BEGIN IMMEDIATE")
            db.conn.execute("CREATE TABLE check_scratch (written INTEGER)")
            db.conn.execute("INSERT INTO check_scratch VALUES (1)")
            db.conn.execute("DROP TABLE check_scratch")
            db.conn.execute("COMMIT")
        finally:
            db.close()
    except (OSError, sqlite3.Error) as error:
        who = f"user id {os.getuid()} (group {os.getgid()})" if hasattr(os, "getuid") else "this user"
        problem(
            f"RESOURCEBOT_DB: cannot write {path} ({error}); the bot runs as {who}, which needs to "
            f"create and write files in {path.parent.resolve()} (in Docker: chown the volume to that user id)"
        )
        return
    ok(f"Database: {path} is writable")


async def _check_infobip(settings: Settings, ok: Report, problem: Report) -> None:
    if settings.uses_infobip_sandbox:
        ok("Infobip: not configured; `resourcebot serve` will use the built-in sandbox")
        return
    key = settings.infobip_api_key.get_secret_value() if settings.infobip_api_key else ""
    async with InfobipClient(settings.infobip_base_url or "", key, max_retries=0) as client:
        try:
            page = await client.list_resource_requests(size=1)
        except InfobipAPIError as error:
            if error.status in (401, 403):
                problem(
                    f"INFOBIP_API_KEY: Infobip refused it ({error.status}); it needs the resource-request "
                    "and numbers scopes"
                )
            else:
                problem(f"INFOBIP_BASE_URL: Infobip answered {error.status}: {error}")
            return
        except InfobipError as error:
            problem(f"INFOBIP_BASE_URL: Infobip could not be reached or answered oddly ({error})")
            return
    if page.paging is None:
        # Infobip always pages its lists; a bare 200 is some other server (a proxy, a login page).
        problem(
            f"INFOBIP_BASE_URL: {settings.infobip_base_url} answered, but not as Infobip does (no paging "
            "in the resource-request list); use the account's base URL, e.g. https://xxxxx.api.infobip.com"
        )
        return
    ok(f"Infobip: {settings.infobip_base_url} answers; {page.paging.total_results} resource requests on the account")


def _check_infobip_webhooks(settings: Settings, problem: Report) -> None:
    if not settings.uses_infobip_sandbox and not (
        settings.infobip_webhook_username and settings.infobip_webhook_password
    ):
        problem(
            "INFOBIP_WEBHOOK_USERNAME, INFOBIP_WEBHOOK_PASSWORD: missing; without them the bot cannot tell "
            "Infobip's status webhooks from anyone else's. Set a pair here and the same pair as the "
            "subscription's BASIC security in Infobip"
        )


async def _check_cm(settings: Settings, ok: Report, problem: Report) -> None:
    if not settings.cm_configured or not settings.cm_product_token:
        return  # optional; pairing problems (one of the three set alone) are reported with the settings
    async with CmClient(
        settings.cm_base_url or "",
        settings.cm_product_token.get_secret_value(),
        settings.cm_account_id or "",
        max_retries=0,
    ) as client:
        try:
            await client.order_restrictions()
        except CmAPIError as error:
            if error.status in (401, 403):
                problem(
                    f"CM_PRODUCT_TOKEN: CM.com refused it ({error.status}); copy the product token of the "
                    "account in CM_ACCOUNT_ID"
                )
            else:
                problem(f"CM_BASE_URL: CM.com answered {error.status}: {error}")
            return
        except CmError as error:
            problem(f"CM_BASE_URL: CM.com could not be reached or answered oddly ({error})")
            return
    ok(f"CM.com: {settings.cm_base_url} answers for account {settings.cm_account_id}")


def run_check(settings: Settings, print_line: Report = print) -> int:
    problems: list[str] = []

    def ok(text: str) -> None:
        print_line(f"ok       {text}")

    def problem(text: str) -> None:
        if text not in problems:  # each named once, however many checks meet it
            problems.append(text)
            print_line(f"PROBLEM  {text}")

    async def checks() -> None:
        await _check_slack(settings, ok, problem)
        if settings.slack_app_token:
            await _check_socket_mode(settings, ok, problem)
        _check_database(settings, ok, problem)
        await _check_infobip(settings, ok, problem)
        _check_infobip_webhooks(settings, problem)
        await _check_cm(settings, ok, problem)

    asyncio.run(checks())
    if not settings.public_url and not settings.slack_app_token:
        print_line("note     PUBLIC_URL: unset; template download links will point at this machine's address")
    return 2 if problems else 0
