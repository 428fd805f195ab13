"""How a sandbox instance behaves: credentials, where webhooks go, how fast time runs."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Literal


@dataclass
class SandboxConfig:
    api_key: str = field(default_factory=lambda: secrets.token_hex(16))
    # Basic auth is accepted too, as by Infobip; None disables it.
    basic_username: str | None = None
    basic_password: str | None = None
    # Where status-change and reminder webhooks are POSTed, with these Basic credentials.
    webhook_url: str | None = None
    webhook_username: str | None = None
    webhook_password: str | None = None
    # Seconds between automatic lifecycle steps; None: nothing moves unless told to (tests).
    lifecycle_step: float | None = 2.0
    # "auto": a reviewer approves every valid request; "manual": requests wait in IN_REVIEW
    # until the admin endpoints (a test, the demo, a person) decide.
    review: Literal["auto", "manual"] = "auto"
    # Enforce the contract's per-operation rate limits (429). speedup > 1 scales them for tests.
    enforce_rate_limits: bool = True
    rate_limit_speedup: float = 1.0
    # Alphanumeric sender requests the account may have pending at once (the contract's
    # RR-ALPHA-SS-LIMIT400: 2, unless Infobip raised it for the account on request).
    pending_sender_limit: int = 2
    # Seed for everything random (ids, inventory), so runs repeat.
    seed: int = 7
