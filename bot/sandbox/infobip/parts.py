"""What each area of the sandbox (resource requests, numbers, provisioning, …) provides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from starlette.routing import BaseRoute

if TYPE_CHECKING:
    from bot.sandbox.infobip.sandbox import InfobipSandbox


class SandboxPart(Protocol):
    def __init__(self, sandbox: InfobipSandbox) -> None: ...

    def routes(self) -> list[BaseRoute]:
        """Routes on Infobip's own paths (auth, rate limits and faults are applied around them)."""

    def admin_routes(self) -> list[BaseRoute]:
        """Reviewer and test controls, mounted under /_sandbox (outside Infobip's paths)."""

    async def run(self) -> None:
        """A background loop for as long as the server runs (lifecycle clock, webhook retries)."""
