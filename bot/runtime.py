"""Putting a bot together from settings: services, and the built-in sandbox when Infobip isn't configured."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from bot.background_server import BackgroundServer
from bot.sandbox.infobip import InfobipSandbox, SandboxConfig
from bot.sandbox.infobip import create_app as create_sandbox_app
from bot.services import Services, build_services
from bot.settings import Settings

log = logging.getLogger("bot")


@dataclass
class Assembled:
    services: Services
    sandbox: InfobipSandbox | None = None
    sandbox_server: BackgroundServer | None = None

    def close(self) -> None:
        """After the bot's server has stopped: the sandbox, and the store's process."""
        if self.sandbox_server:
            self.sandbox_server.stop()
        self.services.store.close()


def webhook_credentials(settings: Settings) -> tuple[str, str]:
    """The configured Basic credentials, or a random pair when the bot runs its own sandbox."""
    if settings.infobip_webhook_username and settings.infobip_webhook_password:
        return settings.infobip_webhook_username, settings.infobip_webhook_password.get_secret_value()
    return "resourcebot", secrets.token_urlsafe(24)


def assemble(
    settings: Settings,
    *,
    bot_url: str,
    sandbox_config: SandboxConfig | None = None,
    infobip_options: dict[str, Any] | None = None,
) -> Assembled:
    """Services for a bot reachable at `bot_url`. With no INFOBIP_BASE_URL, a sandbox is started
    on loopback and its webhooks are pointed at this bot. `infobip_options` go to the client."""
    credentials = webhook_credentials(settings)
    public_url = (settings.public_url or bot_url).rstrip("/")
    if not settings.uses_infobip_sandbox:
        services = build_services(
            settings,
            infobip_base_url=settings.infobip_base_url or "",
            infobip_api_key=settings.infobip_api_key.get_secret_value() if settings.infobip_api_key else "",
            webhook_credentials=credentials,
            public_url=public_url,
            infobip_options=infobip_options,
        )
        return Assembled(services)
    config = sandbox_config or SandboxConfig()
    if settings.infobip_api_key:
        config.api_key = settings.infobip_api_key.get_secret_value()
    config.webhook_url = f"{bot_url}/webhooks/infobip"
    config.webhook_username, config.webhook_password = credentials
    sandbox = InfobipSandbox(config)
    server = BackgroundServer(create_sandbox_app(sandbox)).start()
    log.info(
        "No Infobip credentials: using the built-in Infobip sandbox at %s (set INFOBIP_BASE_URL and "
        "INFOBIP_API_KEY for the real service)",
        server.url,
    )
    services = build_services(
        settings,
        infobip_base_url=server.url,
        infobip_api_key=config.api_key,
        webhook_credentials=credentials,
        public_url=public_url,
        infobip_options=infobip_options,
    )
    return Assembled(services, sandbox, server)
