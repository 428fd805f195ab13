"""The sandbox's drill controls: calls counted by operation, a call held until released (then
processed or dropped), and faults only for operations that exist."""

from __future__ import annotations

import asyncio

import pytest

from tests.sandbox import FAST, admin_client, checked_client

OWNED = "/numbers/1/numbers"


@pytest.fixture
def running(start_sandbox):
    return start_sandbox(rate_limit_speedup=FAST)


async def _held(admin, state: str = "held") -> list[dict]:
    for _ in range(200):
        holds = [h for h in (await admin.get("/holds")).json()["holds"] if h["state"] == state]
        if holds:
            return holds
        await asyncio.sleep(0.02)
    raise AssertionError(f"no {state} call")


async def _offer(client) -> str:
    stock = (await client.get("/numbers/1/numbers/available", params={"country": "GB", "limit": 1})).json()
    return stock["numbers"][0]["numberKey"]


async def test_a_held_call_waits_unprocessed_and_is_processed_when_released(running, contract):
    async with checked_client(running, contract) as client, admin_client(running) as admin:
        key = await _offer(client)
        assert (await admin.post("/faults", json={"operation_id": "purchase-number", "hold": True})).status_code == 201
        buying = asyncio.create_task(client.post(OWNED, json={"numberKey": key}))
        [held] = await _held(admin)
        assert held["operationId"] == "purchase-number"
        assert key not in {n["numberKey"] for n in (await admin.get("/numbers/owned")).json()["numbers"]}
        assert (await admin.post(f"/holds/{held['id']}/release", json={"process": True})).status_code == 200
        assert (await buying).status_code == 200
        assert (await _held(admin, "answered"))[0]["id"] == held["id"]
        assert key in {n["numberKey"] for n in (await admin.get("/numbers/owned")).json()["numbers"]}
        again = await admin.post(f"/holds/{held['id']}/release", json={"process": True})
        assert again.status_code == 409
        calls = (await admin.get("/calls")).json()["calls"]
        assert calls["purchase-number"] == 1 and calls["get-available-numbers"] == 1


async def test_a_dropped_call_does_nothing_and_a_client_still_waiting_hears_a_gateway_timeout(running, contract):
    async with checked_client(running, contract) as client, admin_client(running) as admin:
        key = await _offer(client)
        await admin.post("/faults", json={"operation_id": "purchase-number", "hold": True})
        buying = asyncio.create_task(client.post(OWNED, json={"numberKey": key}))
        [held] = await _held(admin)
        assert (await admin.post(f"/holds/{held['id']}/release", json={"process": False})).status_code == 200
        assert (await buying).status_code == 504
        assert (await _held(admin, "dropped"))[0]["id"] == held["id"]
        assert (await admin.get("/numbers/owned")).json()["numbers"] == []


async def test_a_fault_for_an_operation_that_does_not_exist_is_refused(running):
    async with admin_client(running) as admin:
        answer = await admin.post("/faults", json={"operation_id": "list-resource-requests", "status": 500})
        assert answer.status_code == 400 and "no operation" in answer.text
        assert (await admin.post("/holds/99/release", json={})).status_code == 404
