"""A stateful, contract-faithful stand-in for the Infobip API (resources, numbers, provisioning)."""

from bot.sandbox.infobip.app import create_app
from bot.sandbox.infobip.config import SandboxConfig
from bot.sandbox.infobip.sandbox import InfobipSandbox

__all__ = ["InfobipSandbox", "SandboxConfig", "create_app"]
