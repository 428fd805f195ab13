"""One Infobip stand-in: its configuration, clock, faults and the parts that hold its state."""

from __future__ import annotations

import random
from collections import Counter

from bot.sandbox.infobip.clock import SandboxClock
from bot.sandbox.infobip.config import SandboxConfig
from bot.sandbox.infobip.faults import FaultBook, HoldBook
from bot.sandbox.infobip.inbound import InboundPart
from bot.sandbox.infobip.numbers import NumbersPart
from bot.sandbox.infobip.provisioning import ProvisioningPart
from bot.sandbox.infobip.ratelimit import RateLimiter
from bot.sandbox.infobip.resource_requests import ResourceRequestsPart
from bot.sandbox.infobip.subscriptions import SubscriptionsPart


class InfobipSandbox:
    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.clock = SandboxClock()
        self.faults = FaultBook()
        self.holds = HoldBook()
        # Authenticated calls received, by operation id (held, refused and faulted ones included):
        # how tests prove that the bot called once.
        self.calls: Counter[str] = Counter()
        self.rate_limiter = RateLimiter(self.config.rate_limit_speedup)
        self.random = random.Random(self.config.seed)
        # Parts may call each other (a completed number request adds owned numbers; an
        # association needs an owned resource), so they are reachable by name.
        self.numbers = NumbersPart(self)
        self.provisioning = ProvisioningPart(self)
        self.inbound = InboundPart(self)
        self.subscriptions = SubscriptionsPart(self)
        self.requests = ResourceRequestsPart(self)

    @property
    def parts(self) -> list:
        return [self.requests, self.numbers, self.provisioning, self.inbound, self.subscriptions]
