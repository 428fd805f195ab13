"""Fixtures for the resource-request sandbox tests: a running sandbox and its two clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest


@dataclass
class Session:
    sandbox: object
    api: httpx.AsyncClient  # Infobip's paths: every exchange checked against the contract
    admin: httpx.AsyncClient  # /_sandbox: not Infobip's, not checked

    async def upload(self, filename: str, data: bytes, content_type: str = "application/pdf") -> httpx.Response:
        request = self.api.build_request(
            "POST", "/resources/1/documents", files={"document": (filename, data, content_type)}
        )
        await request.aread()  # the recorder reads the body back; a multipart stream must be buffered
        return await self.api.send(request)

    async def document(self) -> str:
        response = await self.upload("registration.pdf", b"%PDF-1.4 registration extract")
        assert response.status_code == 201, response.text
        return response.json()["documentId"]

    async def submit(self, body: dict) -> str:
        response = await self.api.post("/resources/1/requests", json=body)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    async def get(self, request_id: str) -> dict:
        response = await self.api.get(f"/resources/1/requests/{request_id}")
        assert response.status_code == 200, response.text
        return response.json()

    async def advance(self, request_id: str, times: int = 1) -> dict:
        for _ in range(times):
            response = await self.admin.post(f"/resource-requests/{request_id}/advance")
            assert response.status_code == 200, response.text
        return response.json()

    async def complete(self, request_id: str, **body) -> dict:
        response = await self.admin.post(f"/resource-requests/{request_id}/complete", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def advance_clock(self, days: float) -> None:
        response = await self.admin.post("/clock/advance", json={"days": days})
        assert response.status_code == 200, response.text

    async def drain(self) -> dict:
        response = await self.admin.post("/webhooks/drain", json={"timeout": 10})
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
async def open_session(start_sandbox, contract) -> AsyncIterator[Callable[..., Session]]:
    """Start a sandbox (keyword arguments override SandboxConfig) and open its clients.

    Rate limits are off: they are the gate's concern, tested elsewhere, and these tests submit
    faster than even a sped-up 1 request/second allows.
    """
    clients: list[httpx.AsyncClient] = []

    async def open_(**overrides) -> Session:
        running = start_sandbox(enforce_rate_limits=False, **overrides)
        api = httpx.AsyncClient(
            base_url=running.url, headers=running.auth, timeout=10.0, event_hooks={"response": [contract.hook]}
        )
        admin = httpx.AsyncClient(base_url=running.url + "/_sandbox", headers=running.auth, timeout=15.0)
        clients.extend((api, admin))
        return Session(running.sandbox, api, admin)

    yield open_
    for client in clients:
        await client.aclose()
