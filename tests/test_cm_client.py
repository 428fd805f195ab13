"""CmClient against the running CM.com stand-in, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime

import httpx
import pytest
from pydantic import ValidationError

from bot.background_server import BackgroundServer
from bot.providers.cm import (
    CmAPIError,
    CmClient,
    CmNotFound,
    CmNumberRequestCreate,
    CmTransportError,
    CmUnknownOutcome,
    PhoneNumberType,
    wire,
)
from bot.sandbox.cm import CmSandbox, CmSandboxConfig, create_app
from tests.support.webhook_receiver import WebhookReceiver

TOKEN = "cm-client-token-9876543210"
ACCOUNT = "0d9c8b7a-6f5e-4d3c-8b2a-19f8e7d6c5b4"
PROFILE = "3f2b1c9e-8d7a-4b6e-9f01-234567890abc"


@dataclass
class World:
    cm: CmClient
    admin: httpx.AsyncClient
    receiver: WebhookReceiver
    url: str

    def body(self, **overrides) -> CmNumberRequestCreate:
        fields = {
            "company_profile_guid": PROFILE,
            "quantity": 3,
            "phone_number_type": PhoneNumberType.LOCAL,
            "area_code": "020",
            "callback_url": f"{self.receiver.url}/webhooks/cm/secret-token",
        }
        return CmNumberRequestCreate(**{**fields, **overrides})

    async def drain(self) -> None:
        response = await self.admin.post("/callbacks/drain", json={"timeout": 10})
        assert response.status_code == 200, response.text

    async def last_id(self) -> str:
        """The id of the request made last, from its callback (the create answer has none)."""
        await self.drain()
        return self.receiver.received[-1]["json"]["id"]

    async def wait_for_requests(self, count: int, timeout: float = 5.0) -> bool:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if len((await self.admin.get("/requests")).json()["requests"]) >= count:
                return True
            await asyncio.sleep(0.05)
        return False

    async def fault(self, **fault) -> None:
        assert (await self.admin.post("/faults", json=fault)).status_code == 201


# One stand-in for the module (and one callback_receiver), reset before each test (servers are slow to stop).
@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    config = CmSandboxConfig(product_token=TOKEN, account_id=ACCOUNT, callback_backoff=0.05)
    with BackgroundServer(create_app(CmSandbox(config))) as running:
        yield running.url


@pytest.fixture
async def world(server, callback_receiver) -> AsyncIterator[World]:
    headers = {wire.PRODUCT_TOKEN_HEADER: TOKEN}
    async with (
        CmClient(server, TOKEN, ACCOUNT, timeout=5.0, max_retries=3, max_retry_wait=2.0) as cm,
        httpx.AsyncClient(base_url=server + "/_sandbox", headers=headers, timeout=15) as admin,
    ):
        assert (await admin.post("/reset")).status_code == 204
        callback_receiver.reset()
        yield World(cm, admin, callback_receiver, server)


async def test_immediate_assignment(world):
    created = await world.cm.create_number_request(world.body())
    assert created.id is None and created.start is None and created.valid_from is None and created.valid_to is None
    assert created.status == wire.Status.COMPLETED and created.is_final and len(created.numbers) == 3

    request_id = await world.last_id()
    assert world.receiver.received[-1]["path"] == "/webhooks/cm/secret-token"
    read = await world.cm.get_number_request(request_id)
    assert read.id == request_id and read.numbers == created.numbers and read.start == created.numbers[0]
    assert isinstance(read.valid_from, datetime) and read.valid_from.tzinfo is not None
    assert read.company_profile_guid == PROFILE and read.phone_number_type == "LOCAL"


async def test_review_accepted(world):
    created = await world.cm.create_number_request(world.body(phone_number_type="NATIONAL", area_code="085"))
    assert created.status == "Pending" and not created.is_final
    request_id = await world.last_id()
    await world.admin.post(f"/requests/{request_id}/accept", json={"reason": "Sourced from our partner."})
    read = await world.cm.get_number_request(request_id)
    assert read.status == "Accepted" and read.reason == "Sourced from our partner." and len(read.numbers) == 3


async def test_review_rejected_with_reason(world):
    await world.cm.create_number_request(world.body(phone_number_type="NATIONAL", area_code="085"))
    request_id = await world.last_id()
    await world.admin.post(f"/requests/{request_id}/reject", json={"reason": "Not available in 085."})
    await world.drain()
    callback = world.receiver.received[-1]["json"]
    assert callback["status"] == "Rejected" and callback["reason"] == "Not available in 085."
    read = await world.cm.get_number_request(request_id)
    assert read.status == "Rejected" and read.reason == "Not available in 085." and read.numbers == []


async def test_cancel_and_cancel_after_final_is_refused(world):
    await world.cm.create_number_request(world.body(phone_number_type="NATIONAL", area_code="085"))
    request_id = await world.last_id()
    assert await world.cm.cancel_number_request(request_id) is None
    assert (await world.cm.get_number_request(request_id)).status == "Cancelled"
    with pytest.raises(CmAPIError) as refused:
        await world.cm.cancel_number_request(request_id)
    assert refused.value.status == 409
    assert str(refused.value) == (
        "CM.com answered HTTP 409 when cancelling a number request: Number request "
        f"{request_id} is Cancelled and can no longer be cancelled."
    )


async def test_callbacks_carry_the_whole_object_after_receiver_failures(world):
    world.receiver.fail_next = 2
    await world.cm.create_number_request(world.body(comment="for the helpdesk"))
    await world.drain()
    [callback] = world.receiver.received
    body = callback["json"]
    assert set(wire.CREATE_FIELDS) | {"id", "status", "start", "validFrom", "validTo", "numbers"} <= set(body)
    assert body["comment"] == "for the helpdesk"
    done = (await world.admin.get("/callbacks")).json()["done"]
    assert done[-1]["attempts"] == 3


async def test_bad_token_is_a_401_without_the_token_in_sight(world):
    async with CmClient(world.url, "wrong-token-abc", ACCOUNT, timeout=5.0) as cm:
        with pytest.raises(CmAPIError) as denied:
            await cm.order_restrictions()
        assert denied.value.status == 401
        assert "Check the CM.com product token" in str(denied.value)
        assert "wrong-token-abc" not in str(denied.value) + repr(denied.value) + repr(cm)


async def test_unknown_request_and_other_account_are_not_found(world):
    with pytest.raises(CmNotFound):
        await world.cm.get_number_request("00000000-0000-4000-8000-000000000000")
    async with CmClient(world.url, TOKEN, "11111111-2222-4333-8444-555555555555", timeout=5.0) as other:
        with pytest.raises(CmNotFound):
            await other.order_restrictions()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"range_size": 7}, "rangeSize must be one of the allowed range sizes (10, 100)."),
        ({"range_size": 10, "quantity": 15}, "quantity must be a multiple of rangeSize (10)."),
        ({"area_code": "212"}, "region is required for NANPA numbers."),
    ],
)
async def test_validation_400s_carry_the_message(world, overrides, expected):
    with pytest.raises(CmAPIError) as bad:
        await world.cm.create_number_request(world.body(**overrides))
    assert bad.value.status == 400 and expected in bad.value.message
    assert str(bad.value).startswith("CM.com answered HTTP 400 when creating a number request: ")


def test_the_create_body_is_checked_before_sending():
    with pytest.raises(ValidationError, match="an area code or a city is required"):
        CmNumberRequestCreate(company_profile_guid=PROFILE, quantity=1, phone_number_type="LOCAL")
    with pytest.raises(ValidationError):
        CmNumberRequestCreate(company_profile_guid="not-a-uuid", quantity=1, phone_number_type="LOCAL", city="X")
    with pytest.raises(ValidationError):
        CmNumberRequestCreate(company_profile_guid=PROFILE, quantity=1001, phone_number_type="LOCAL", city="X")
    body = CmNumberRequestCreate(
        company_profile_guid=PROFILE,
        quantity=10,
        range_size=10,
        phone_number_type="LOCAL",
        city="New York",
        region="NY",
    )
    assert body.to_wire() == {
        "companyProfileGuid": PROFILE,
        "quantity": 10,
        "rangeSize": 10,
        "phoneNumberType": "LOCAL",
        "city": "New York",
        "region": "NY",
    }


async def test_order_restrictions_and_locale_options(world):
    restrictions = await world.cm.order_restrictions()
    assert restrictions.max_quantity == 1000 and restrictions.range_sizes == [10, 100]
    assert restrictions.phone_number_types == ["LOCAL", "NATIONAL", "TOLLFREE"]
    nl = await world.cm.locale_options("nl", PhoneNumberType.LOCAL)
    assert nl.cities == ["Amsterdam", "Rotterdam"] and nl.area_codes == ["020", "010"] and nl.regions == []
    us = await world.cm.locale_options("US")
    assert "New York" in us.cities and us.regions == ["NY", "CA"] and "888" in us.area_codes


async def test_reads_are_retried_honouring_retry_after(world):
    await world.fault(operation="order-restrictions", status=503, retryAfter=0.05, times=2)
    assert (await world.cm.order_restrictions()).max_quantity == 1000
    await world.fault(operation="locale-options", status=429, retryAfter=0.05, times=None)
    with pytest.raises(CmAPIError) as exhausted:
        await world.cm.locale_options("NL")
    assert exhausted.value.status == 429


async def test_create_is_never_resent_after_a_5xx_or_timeout(world):
    await world.fault(operation="create", status=500, afterProcessing=True)
    with pytest.raises(CmUnknownOutcome) as unknown:
        await world.cm.create_number_request(world.body())
    assert unknown.value.status == 500 and "may or may not" in str(unknown.value)
    assert len((await world.admin.get("/requests")).json()["requests"]) == 1

    async with CmClient(world.url, TOKEN, ACCOUNT, timeout=0.2) as impatient:
        await world.fault(operation="create", delay=0.6)
        with pytest.raises(CmUnknownOutcome, match="timed out"):
            await impatient.create_number_request(world.body())
        # It did happen, late: the reason not to resend.
        assert await world.wait_for_requests(2)
        await world.fault(operation="cancel", status=502)
        with pytest.raises(CmUnknownOutcome):
            await impatient.cancel_number_request("00000000-0000-4000-8000-000000000000")


async def test_create_is_retried_after_a_429(world):
    await world.fault(operation="create", status=429, retryAfter=0.05)
    created = await world.cm.create_number_request(world.body())
    assert created.status == "Completed"
    assert len((await world.admin.get("/requests")).json()["requests"]) == 1


async def test_no_connection_is_a_transport_error():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    async with CmClient(
        f"http://127.0.0.1:{port}", TOKEN, ACCOUNT, timeout=1.0, max_retries=1, max_retry_wait=1.0
    ) as cm:
        with pytest.raises(CmTransportError, match="could not connect"):
            await cm.get_number_request("x")


def test_the_client_wants_a_guid_and_a_token():
    with pytest.raises(ValueError, match="GUID"):
        CmClient("http://cm.invalid", TOKEN, "my-account")
    with pytest.raises(ValueError, match="token"):
        CmClient("http://cm.invalid", "", ACCOUNT)
