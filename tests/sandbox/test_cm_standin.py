"""The CM.com stand-in over real HTTP: wire shapes, lifecycle, validation, callbacks, admin."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest

from bot.background_server import BackgroundServer
from bot.providers.cm import wire
from bot.sandbox.cm import CmSandbox, CmSandboxConfig, create_app
from tests.support.webhook_receiver import WebhookReceiver

TOKEN = "cm-standin-token-0123456789"
ACCOUNT = "6f1c2d3e-4b5a-4c6d-8e7f-0123456789ab"
PROFILE = "3f2b1c9e-8d7a-4b6e-9f01-234567890abc"
BASE = wire.BASE_PATH.format(account_id=ACCOUNT)


@dataclass
class Standin:
    api: httpx.AsyncClient
    admin: httpx.AsyncClient
    receiver: WebhookReceiver

    async def create(self, expect: int = 201, **fields) -> dict:
        response = await self.api.post(f"{BASE}/numberrequests", json=fields)
        assert response.status_code == expect, response.text
        return response.json()

    async def drain(self) -> dict:
        response = await self.admin.post("/callbacks/drain", json={"timeout": 10})
        assert response.status_code == 200, response.text
        return response.json()

    async def only_request(self) -> dict:
        response = await self.admin.get("/requests")
        [found] = response.json()["requests"]
        return found

    def statuses(self) -> list[str]:
        return [c["json"][wire.STATUS] for c in self.receiver.received]


# One stand-in per module (and one callback_receiver), reset before each test: starting and
# stopping servers costs more than the tests themselves.
@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    config = CmSandboxConfig(
        product_token=TOKEN, account_id=ACCOUNT, callback_backoff=0.05, callback_max_attempts=5, callback_timeout=2.0
    )
    with BackgroundServer(create_app(CmSandbox(config))) as running:
        yield running.url


@pytest.fixture
async def standin(server, callback_receiver) -> AsyncIterator[Standin]:
    headers = {wire.PRODUCT_TOKEN_HEADER: TOKEN}
    async with (
        httpx.AsyncClient(base_url=server, headers=headers, timeout=10) as api,
        httpx.AsyncClient(base_url=server + "/_sandbox", headers=headers, timeout=15) as admin,
    ):
        assert (await admin.post("/reset")).status_code == 204
        callback_receiver.reset()
        yield Standin(api, admin, callback_receiver)


def local(standin: Standin, **overrides) -> dict:
    body = {
        wire.COMPANY_PROFILE_GUID: PROFILE,
        wire.QUANTITY: 5,
        wire.PHONE_NUMBER_TYPE: "LOCAL",
        wire.AREA_CODE: "020",
        wire.COMMENT: "for the NL support line",
        wire.CALLBACK_URL: f"{standin.receiver.url}/webhooks/cm/tok-1",
    }
    return {**body, **overrides}


def national(standin: Standin, **overrides) -> dict:
    return local(standin, **{wire.PHONE_NUMBER_TYPE: "NATIONAL", wire.AREA_CODE: "085", **overrides})


async def test_in_stock_is_completed_at_once_and_the_answer_has_null_ids(standin):
    answer = await standin.create(**local(standin))
    assert {answer[k] for k in (wire.ID, wire.START, wire.VALID_FROM, wire.VALID_TO)} == {None}
    assert answer[wire.STATUS] == "Completed"
    assert len(answer[wire.NUMBERS]) == 5 and all(n.startswith("+3120") for n in answer[wire.NUMBERS])
    assert answer[wire.COMPANY_PROFILE_GUID] == PROFILE and answer[wire.AREA_CODE] == "020"

    await standin.drain()
    [callback] = standin.receiver.received
    assert callback["path"] == "/webhooks/cm/tok-1"
    body = callback["json"]
    assert body[wire.ID] and body[wire.STATUS] == "Completed" and body[wire.NUMBERS] == answer[wire.NUMBERS]
    assert body[wire.START] == answer[wire.NUMBERS][0] and body[wire.VALID_FROM]
    assert set(wire.CREATE_FIELDS) <= set(body)  # the WHOLE object
    read = await standin.api.get(f"{BASE}/numberrequests/{body[wire.ID]}")
    assert read.status_code == 200 and read.json() == body


async def test_review_accepted_with_reason_and_numbers(standin):
    answer = await standin.create(**national(standin, **{wire.QUANTITY: 2}))
    assert answer[wire.STATUS] == "Pending" and answer[wire.NUMBERS] == []
    request_id = (await standin.only_request())["id"]

    accepted = await standin.admin.post(f"/requests/{request_id}/accept", json={"reason": "Numbers reserved."})
    assert accepted.status_code == 200, accepted.text
    await standin.drain()
    statuses = standin.statuses()
    assert statuses == ["Pending", "Accepted"]
    last = standin.receiver.received[-1]["json"]
    assert last[wire.REASON] == "Numbers reserved." and len(last[wire.NUMBERS]) == 2
    assert all(n.startswith("+3185") for n in last[wire.NUMBERS])


async def test_review_rejected_needs_a_reason(standin):
    await standin.create(**national(standin))
    request_id = (await standin.only_request())["id"]
    no_reason = await standin.admin.post(f"/requests/{request_id}/reject", json={})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["message"]

    rejected = await standin.admin.post(f"/requests/{request_id}/reject", json={"reason": "No numbers in 085."})
    assert rejected.json()[wire.STATUS] == "Rejected"
    await standin.drain()
    assert standin.receiver.received[-1]["json"][wire.REASON] == "No numbers in 085."
    again = await standin.admin.post(f"/requests/{request_id}/accept", json={"reason": "changed my mind"})
    assert again.status_code == 409


async def test_cancel_until_final(standin):
    await standin.create(**national(standin))
    request_id = (await standin.only_request())["id"]
    cancelled = await standin.api.delete(f"{BASE}/numberrequests/{request_id}")
    assert cancelled.status_code == 204
    twice = await standin.api.delete(f"{BASE}/numberrequests/{request_id}")
    assert twice.status_code == 409 and "Cancelled" in twice.json()["message"]
    await standin.drain()
    assert standin.statuses() == ["Pending", "Cancelled"]
    unknown = await standin.api.delete(f"{BASE}/numberrequests/00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404


async def test_product_token_and_account_are_checked(standin, server):
    async with httpx.AsyncClient(base_url=server, timeout=5) as anonymous:
        assert (await anonymous.get(f"{BASE}/orderrestrictions")).status_code == 401
        wrong = {wire.PRODUCT_TOKEN_HEADER: "nope"}
        assert (await anonymous.get(f"{BASE}/orderrestrictions", headers=wrong)).status_code == 401
        assert (await anonymous.get("/_sandbox/requests", headers=wrong)).status_code == 401
        assert (await anonymous.get("/healthz")).status_code == 200
    other = wire.BASE_PATH.format(account_id="11111111-2222-4333-8444-555555555555")
    assert (await standin.api.get(f"{other}/orderrestrictions")).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({wire.COMPANY_PROFILE_GUID: "not-a-uuid"}, "companyProfileGuid must be a UUID"),
        ({wire.QUANTITY: 0}, "quantity must be a whole number from 1 to 1000"),
        ({wire.QUANTITY: 1001}, "quantity must be a whole number from 1 to 1000"),
        ({wire.QUANTITY: "5"}, "quantity must be a whole number"),
        ({wire.RANGE_SIZE: 7}, "rangeSize must be one of the allowed range sizes (10, 100)"),
        ({wire.RANGE_SIZE: 10, wire.QUANTITY: 15}, "quantity must be a multiple of rangeSize"),
        ({wire.PHONE_NUMBER_TYPE: "MOBILE"}, "phoneNumberType must be one of LOCAL, NATIONAL, TOLLFREE"),
        ({wire.AREA_CODE: None}, "areaCode or city is required"),
        ({wire.AREA_CODE: "212"}, "region is required for NANPA numbers"),
        ({wire.CALLBACK_URL: "/relative"}, "callbackUrl must be an absolute http(s) URL"),
    ],
)
async def test_create_validation(standin, overrides, expected):
    answer = await standin.create(expect=400, **local(standin, **overrides))
    assert expected in answer["message"]


async def test_quantity_above_the_accounts_maximum():
    config = CmSandboxConfig(product_token=TOKEN, account_id=ACCOUNT, max_quantity=50)
    with BackgroundServer(create_app(CmSandbox(config))) as running:
        async with httpx.AsyncClient(base_url=running.url, headers={wire.PRODUCT_TOKEN_HEADER: TOKEN}) as api:
            body = {
                wire.COMPANY_PROFILE_GUID: PROFILE,
                wire.QUANTITY: 60,
                wire.PHONE_NUMBER_TYPE: "LOCAL",
                wire.CITY: "Amsterdam",
            }
            response = await api.post(f"{BASE}/numberrequests", json=body)
            assert response.status_code == 400
            assert "maximum of 50" in response.json()["message"]
            restrictions = (await api.get(f"{BASE}/orderrestrictions")).json()
            assert restrictions[wire.MAX_QUANTITY] == 50


async def test_not_json_is_a_400(standin):
    response = await standin.api.post(f"{BASE}/numberrequests", content=b"[1, 2]")
    assert response.status_code == 400 and "JSON object" in response.json()["message"]


async def test_callbacks_are_retried_in_order_after_receiver_failures(standin):
    standin.receiver.fail_next = 2
    await standin.create(**national(standin))
    request_id = (await standin.only_request())["id"]
    await standin.admin.post(f"/requests/{request_id}/accept", json={"reason": "ok"})
    state = await standin.drain()
    assert standin.statuses() == ["Pending", "Accepted"]
    assert [c["attempts"] for c in state["done"]] == [3, 1]
    assert all(c["outcome"] == "delivered" for c in state["done"])


async def test_callbacks_never_block_the_api(standin):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead_port = closed.getsockname()[1]
    started = time.monotonic()
    await standin.create(**local(standin, **{wire.CALLBACK_URL: f"http://127.0.0.1:{dead_port}/cb"}))
    assert time.monotonic() - started < 1.0
    drain = await standin.admin.post("/callbacks/drain", json={"timeout": 0.2})
    assert drain.status_code == 504
    [pending] = drain.json()["pending"]
    assert pending["lastError"] and pending["attempts"] >= 1


async def test_replay_sends_the_same_body_again(standin):
    await standin.create(**local(standin))
    request_id = (await standin.only_request())["id"]
    replayed = await standin.admin.post(f"/requests/{request_id}/replay")
    assert replayed.status_code == 202
    await standin.drain()
    first, second = standin.receiver.received
    assert first["json"] == second["json"] and first["path"] == second["path"]


async def test_order_restrictions_and_locale_options(standin):
    restrictions = (await standin.api.get(f"{BASE}/orderrestrictions")).json()
    assert restrictions == {
        wire.MAX_QUANTITY: 1000,
        wire.RANGE_SIZES: [10, 100],
        wire.PHONE_NUMBER_TYPES: ["LOCAL", "NATIONAL", "TOLLFREE"],
    }
    nl = (
        await standin.api.get(f"{BASE}/localeoptions", params={"countryCode": "NL", "phoneNumberType": "LOCAL"})
    ).json()
    assert nl == {wire.CITIES: ["Amsterdam", "Rotterdam"], wire.REGIONS: [], wire.AREA_CODES: ["020", "010"]}
    us = (await standin.api.get(f"{BASE}/localeoptions", params={"countryCode": "us"})).json()
    assert us[wire.CITIES] == ["New York", "Los Angeles"] and us[wire.REGIONS] == ["NY", "CA"]
    bad = await standin.api.get(f"{BASE}/localeoptions", params={"countryCode": "Netherlands"})
    assert bad.status_code == 400


async def test_stock_can_be_emptied_and_ranges_are_aligned(standin):
    emptied = await standin.admin.put(
        "/stock", json={"phoneNumberType": "LOCAL", "areaCode": "010", "city": "Rotterdam", "available": 0}
    )
    assert emptied.status_code == 200 and emptied.json()["prefix"] == "+3110"
    pending = await standin.create(**local(standin, **{wire.AREA_CODE: "010"}))
    assert pending[wire.STATUS] == "Pending"

    ranged = await standin.create(**local(standin, **{wire.QUANTITY: 20, wire.RANGE_SIZE: 10}))
    numbers = ranged[wire.NUMBERS]
    serials = [int(n.removeprefix("+3120")) for n in numbers]
    assert serials == list(range(serials[0], serials[0] + 20)) and serials[0] % 10 == 0


async def test_a_fault_after_processing_loses_the_answer_not_the_request(standin):
    await standin.admin.post("/faults", json={"operation": "create", "status": 500, "afterProcessing": True})
    lost = await standin.api.post(f"{BASE}/numberrequests", json=local(standin))
    assert lost.status_code == 500
    assert (await standin.only_request())["status"] == "Completed"
