"""Sandbox tests: real HTTP against a running sandbox, every exchange checked against the contract."""

from __future__ import annotations

import httpx

from tests.support.contract import ContractRecorder

# Every test talks faster than the real limits allow (1/s for provisioning); keep the limits on.
FAST = 10_000.0


def checked_client(running, contract: ContractRecorder) -> httpx.AsyncClient:
    """A client on Infobip's paths: each response goes through the contract recorder."""
    return httpx.AsyncClient(
        base_url=running.url, headers=running.auth, timeout=5.0, event_hooks={"response": [contract.hook]}
    )


def admin_client(running) -> httpx.AsyncClient:
    """A client for /_sandbox, which is not part of Infobip's contract."""
    return httpx.AsyncClient(base_url=running.url + "/_sandbox", headers=running.auth, timeout=5.0)
