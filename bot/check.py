"""`resourcebot check`: are the settings right, and do Slack and each provider answer?

Every problem is listed (never a secret's value), with what to do about it; the exit code is 2
when there is any, so a deploy script can stop before starting a bot that cannot work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from slack_sdk.errors import SlackApiError

from bot.providers.infobip import InfobipClient
from bot.providers.infobip.errors import InfobipAPIError, InfobipError
from bot.services import slack_client
from bot.settings import Settings

Report = Callable[[str], None]


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
                problem(f"INFOBIP_API_KEY: Infobip refused it ({error.status}); it needs the resource-request "
                        "and numbers scopes")
            else:
                problem(f"INFOBIP_BASE_URL: Infobip answered {error.status}: {error}")
            return
        except InfobipError as error:
            problem(f"INFOBIP_BASE_URL: Infobip could not be reached ({error})")
            return
    ok(f"Infobip: {settings.infobip_base_url} answers; {page.paging.total_results if page.paging else '?'} "
       "resource requests on the account")
    if not (settings.infobip_webhook_username and settings.infobip_webhook_password):
        problem("INFOBIP_WEBHOOK_USERNAME, INFOBIP_WEBHOOK_PASSWORD: missing; without them the bot cannot tell "
                "Infobip's status webhooks from anyone else's. Set a pair here and the same pair as the "
                "subscription's BASIC security in Infobip")


def run_check(settings: Settings, print_line: Report = print) -> int:
    problems: list[str] = []

    def ok(text: str) -> None:
        print_line(f"ok       {text}")

    def problem(text: str) -> None:
        problems.append(text)
        print_line(f"PROBLEM  {text}")

    async def checks() -> None:
        await _check_slack(settings, ok, problem)
        await _check_infobip(settings, ok, problem)

    asyncio.run(checks())
    if settings.cm_configured:
        print_line("note     CM.com: configured, but this version of the bot does not use CM.com yet")
    if not settings.public_url and not settings.slack_app_token:
        print_line("note     PUBLIC_URL: unset; template download links will point at this machine's address")
    return 2 if problems else 0
