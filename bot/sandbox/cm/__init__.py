"""A stateful stand-in for CM.com voice number requests (immediate assignment, support's review,
cancel, callbacks), faithful to the names in `bot/providers/cm/wire.py`. See app.py for routes."""

from bot.sandbox.cm.app import create_app
from bot.sandbox.cm.config import CmSandboxConfig, StockEntry
from bot.sandbox.cm.sandbox import CmSandbox

__all__ = ["CmSandbox", "CmSandboxConfig", "StockEntry", "create_app"]
