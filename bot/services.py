"""The long-lived parts one bot process shares: settings, database, provider client, Slack, outbox."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlite_utils
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.metrics import BotMetrics
from bot.providers.cm.client import CmClient
from bot.providers.infobip import InfobipClient
from bot.providers.infobip.requirements_cache import RequirementsCache
from bot.settings import Settings
from bot.slack.delivery import OutboxWorker
from bot.slack.files import SLACK_FILE_ORIGINS
from bot.slack.home_tab import refresh_homes_for
from bot.slack.spend.load import SpendCache
from bot.store.approvals import Approval
from bot.store.db import open_database
from bot.store.process import StoreProcess
from bot.store.requests import RequestRecord
from bot.store.worker import Store


@dataclass
class Services:
    settings: Settings
    db: sqlite_utils.Database  # for one-offs outside the server (tests, the demo); the bot uses `store`
    store: Store
    infobip: InfobipClient
    # Infobip's requirements lookups, kept a while: forms look requirements up through it.
    requirements: RequirementsCache
    slack: AsyncWebClient
    outbox: OutboxWorker
    # Basic credentials Infobip's webhook calls must carry; always set (generated for the sandbox).
    webhook_credentials: tuple[str, str] = field(repr=False)
    # Where people's browsers reach the bot: PUBLIC_URL, else the address it serves on.
    public_url: str = "http://127.0.0.1:3000"
    clock: Clock = field(default_factory=Clock)
    # CM.com, when configured (CM_BASE_URL, CM_PRODUCT_TOKEN, CM_ACCOUNT_ID).
    cm: CmClient | None = None
    # How often due reminders are looked for (tests make it short).
    reminder_tick_seconds: float = 60.0
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=5.0)))
    # This bot's Prometheus metrics (GET /metrics); the clients above report into it.
    metrics: BotMetrics = field(default_factory=BotMetrics)
    # The last spend report read, for the admins' Home tabs (bot/slack/spend/load.py).
    spend_cache: SpendCache = field(default_factory=SpendCache)

    @property
    def bot_token(self) -> str:
        return self.settings.slack_bot_token.get_secret_value() if self.settings.slack_bot_token else ""

    @property
    def slack_file_origins(self) -> frozenset[tuple[str, str, int]]:
        """Slack's file host, plus those named in RESOURCEBOT_SLACK_FILE_ORIGINS (the stand-in)."""
        return SLACK_FILE_ORIGINS | self.settings.resourcebot_slack_file_origins

    @property
    def signing_secret(self) -> str:
        """The key of the bot's own signed links (template downloads): see `link_key`. Slack's
        requests are checked against the Slack signing secret itself, in server.py."""
        return link_key(self.settings)

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.settings.resourcebot_admins

    def may_manage_numbers(self, user_id: str) -> bool:
        """Buy and cancel numbers: RESOURCEBOT_NUMBER_MANAGERS, or the admins when that is unset."""
        return user_id in (self.settings.resourcebot_number_managers or self.settings.resourcebot_admins)

    def may_see_spend(self, user_id: str) -> bool:
        """What the account's numbers cost, and the unused ones: the admins and the number managers."""
        return self.is_admin(user_id) or self.may_manage_numbers(user_id)

    def may_manage_routing(self, user_id: str) -> bool:
        """Change associations, applications, entities and inbound routing."""
        return user_id in (self.settings.resourcebot_routing_managers or self.settings.resourcebot_admins)

    def may_manage_profiles(self, user_id: str) -> bool:
        """Create, change and delete company profiles: RESOURCEBOT_PROFILE_MANAGERS, or the admins when unset."""
        return user_id in (self.settings.resourcebot_profile_managers or self.settings.resourcebot_admins)

    async def aclose(self) -> None:
        await self.infobip.aclose()
        if self.cm:
            await self.cm.aclose()
        await self.http.aclose()
        self.store.close()
        self.db.close()


def link_key(settings: Settings) -> str:
    """The Slack signing secret, or in Socket Mode without one a key derived from the app-level
    token: never empty when the bot can serve (an empty key would let anyone sign a link)."""
    if settings.slack_signing_secret:
        return settings.slack_signing_secret.get_secret_value()
    if settings.slack_app_token:
        return hmac.new(
            settings.slack_app_token.get_secret_value().encode(), b"resourcebot signed links", hashlib.sha256
        ).hexdigest()
    return ""


def slack_client(settings: Settings, *, retries: bool = True, metrics: BotMetrics | None = None) -> AsyncWebClient:
    """A Web API client on SLACK_API_URL. Interactive calls retry 429/5xx/connection errors
    in place; the outbox schedules its own retries, so its client has none. With `metrics`,
    every failed answer (each attempt) is counted first."""
    handlers = (
        [
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
        ]
        if retries
        else []
    )
    if metrics is not None:
        handlers.insert(0, metrics.slack_error_counter(settings.slack_api_url))
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return AsyncWebClient(token=token, base_url=settings.slack_api_url, retry_handlers=handlers, timeout=15)


def build_services(
    settings: Settings,
    *,
    infobip_base_url: str,
    infobip_api_key: str,
    webhook_credentials: tuple[str, str],
    public_url: str,
    infobip_options: dict[str, Any] | None = None,
) -> Services:
    """`infobip_options` go to the InfobipClient (e.g. a faster Pacer for a sped-up sandbox)."""
    metrics = BotMetrics()
    infobip_options = dict(infobip_options or {})
    infobip_options["event_hooks"] = _with_hooks(
        infobip_options.get("event_hooks"), metrics.provider_event_hooks("infobip")
    )
    db = open_database(settings.resourcebot_db)
    store = StoreProcess(settings.resourcebot_db)
    outbox_client = slack_client(settings, retries=False, metrics=metrics)

    async def refresh_homes(subject: RequestRecord | Approval) -> None:
        await refresh_homes_for(services, outbox_client, subject)  # `services` is bound below, before any delivery

    infobip = InfobipClient(infobip_base_url, infobip_api_key, **infobip_options)
    clock = Clock()
    services = Services(
        settings=settings,
        db=db,
        store=store,
        infobip=infobip,
        requirements=RequirementsCache(
            infobip.lookup_requirements, ttl_seconds=settings.resourcebot_requirements_cache_seconds, clock=clock
        ),
        slack=slack_client(settings, metrics=metrics),
        outbox=OutboxWorker(db, store, outbox_client, refresh_homes=refresh_homes),
        webhook_credentials=webhook_credentials,
        public_url=public_url,
        clock=clock,
        cm=CmClient(
            settings.cm_base_url or "",
            settings.cm_product_token.get_secret_value(),
            settings.cm_account_id or "",
            event_hooks=metrics.provider_event_hooks("cm"),
        )
        if settings.cm_configured and settings.cm_product_token
        else None,
        metrics=metrics,
    )
    return services


def _with_hooks(given: dict[str, list[Any]] | None, added: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """httpx event hooks: the caller's (a test's contract recorder) and ours, both."""
    merged = {kind: list(hooks) for kind, hooks in (given or {}).items()}
    for kind, hooks in added.items():
        merged.setdefault(kind, []).extend(hooks)
    return merged
