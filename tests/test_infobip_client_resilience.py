"""The Infobip client against a real HTTP server on loopback that misbehaves on cue.

Errors in both body shapes, retries of safe calls (429 with Retry-After, 5xx, lost connections),
no blind resend of unsafe ones (submit answered 500, timing out or cut off), and the API key
never showing up in an error.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import socket
import time
import traceback
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from bot.background_server import BackgroundServer
from bot.providers.infobip import (
    AlphaRegistrationSubmit,
    AlphaRequirementsQuery,
    FilledRequirement,
    InfobipAPIError,
    InfobipClient,
    InfobipError,
    InfobipNotFound,
    InfobipRateLimited,
    InfobipTransportError,
    InfobipUnknownOutcome,
    Pacer,
    iterate_pages,
)
from bot.providers.infobip.errors import retry_after_seconds
from bot.providers.infobip.models import Application, ResourceAssociationRequest
from tests.support.contract import ContractRecorder

API_KEY = "secret-key-5f1c0ffee0ddba11"
REQUESTS = "/resources/1/requests"
SUBMIT = AlphaRegistrationSubmit(
    sender_name="InfobipHR",
    country_code="HR",
    requirements=[FilledRequirement(key="companyName", value="Infobip")],
)
CREATED = {"id": "a0c63335-f841-4d43-9ef8-e0765a233f29"}
REQUEST = {
    "id": CREATED["id"],
    "type": "ALPHANUMERIC_REGISTRATION",
    "status": "IN_REVIEW",
    "countryCode": "HR",
    "senderName": "InfobipHR",
    "requestedDate": "2025-03-11T09:22:47.000+0000",
}
NEW_400 = {
    "errorCode": "E400",
    "description": "Request cannot be processed.",
    "action": "Check the syntax, violations and adjust the request.",
    "violations": [{"property": "senderName", "violation": "size must be between 3 and 11"}],
    "resources": [],
}
LEGACY_404 = {"requestError": {"serviceException": {"messageId": "NOT_FOUND", "text": "Not found"}}}


# ---- A scripted server ----------------------------------------------------------------------


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # JSON, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False  # start the answer, then cut the connection


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


class CutOff(Response):
    """Sends the status line and part of the body, then breaks the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"id": ', "more_body": True})
        raise ConnectionAbortedError("connection cut on purpose by the test server")


class Script:
    """Answers per (method, path), used in order (the last one repeats); records every call."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], list[Answer]] = {}
        self.seen: list[Seen] = []

    def on(self, method: str, path: str, *answers: Answer) -> None:
        self.answers[method, path] = list(answers)

    def calls(self, method: str, path: str) -> list[Seen]:
        return [s for s in self.seen if (s.method, s.path) == (method, path)]

    async def handle(self, request: Request) -> Response:
        self.seen.append(
            Seen(request.method, request.url.path, request.url.query, dict(request.headers), await request.body())
        )
        queue = self.answers.get((request.method, request.url.path))
        if not queue:
            return JSONResponse(LEGACY_404, status_code=404)
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if answer.drop:
            return CutOff()
        if isinstance(answer.body, bytes):
            return Response(answer.body, status_code=answer.status, headers=answer.headers)
        if answer.body is None:
            return Response(status_code=answer.status, headers=answer.headers)
        return JSONResponse(answer.body, status_code=answer.status, headers=answer.headers)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[BackgroundServer, list[Script]]]:
    current = [Script()]

    async def handle(request: Request) -> Response:
        return await current[0].handle(request)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    app = Starlette(routes=[Route("/{path:path}", handle, methods=methods)])
    with BackgroundServer(app) as running:
        yield running, current


@pytest.fixture
def script(server) -> Script:
    _, current = server
    current[0] = Script()
    return current[0]


@pytest.fixture
async def client(server) -> AsyncIterator[InfobipClient]:
    running, _ = server
    async with fast_client(running.url) as infobip:
        yield infobip


def fast_client(url: str, **options: Any) -> InfobipClient:
    settings: dict[str, Any] = {"pacer": Pacer(speedup=1000), "timeout": httpx.Timeout(5.0), **options}
    return InfobipClient(url, API_KEY, **settings)


def assert_key_hidden(exc: BaseException) -> None:
    """The key is in no message, repr or chained cause of the error."""
    text = str(exc) + repr(exc) + "".join(traceback.format_exception(exc))
    assert API_KEY not in text


# ---- Requests and error mapping -------------------------------------------------------------


async def test_sends_the_app_key_and_a_contract_valid_body(server, script):
    running, _ = server
    example = {
        "requirements": [
            {
                "key": "companyName",
                "type": "TEXT",
                "name": "Company Name",
                "required": True,
                "validation": {"minLength": 3, "maxLength": 100},
            }
        ]
    }
    script.on("POST", "/resources/1/requirements-lookup", Answer(body=example))
    contract = ContractRecorder()
    async with fast_client(running.url, event_hooks={"response": [contract.hook]}) as infobip:
        [requirement] = await infobip.lookup_requirements(AlphaRequirementsQuery(country_code="HR"))
    assert requirement.key == "companyName" and requirement.validation.min_length == 3
    [call] = script.seen
    assert call.headers["authorization"] == f"App {API_KEY}"
    assert json.loads(call.body) == {"type": "ALPHANUMERIC_REGISTRATION", "countryCode": "HR"}
    contract.assert_clean()


async def test_new_error_shape_with_violations_is_not_retried(client, script):
    script.on("POST", REQUESTS, Answer(400, NEW_400))
    with pytest.raises(InfobipAPIError) as caught:
        await client.submit_resource_request(SUBMIT)
    error = caught.value
    assert (error.status, error.error_code) == (400, "E400")
    assert error.violations == [("senderName", "size must be between 3 and 11")]
    assert str(error) == (
        "Request cannot be processed. Check the syntax, violations and adjust the request. "
        "(senderName: size must be between 3 and 11)"
    )
    assert not isinstance(error, InfobipUnknownOutcome)
    assert len(script.calls("POST", REQUESTS)) == 1
    assert_key_hidden(error)


async def test_legacy_error_shape_404_on_a_number(client, script):
    script.on("GET", "/numbers/1/numbers/NOPE", Answer(404, LEGACY_404))
    with pytest.raises(InfobipNotFound) as caught:
        await client.get_owned_number("NOPE")
    assert (caught.value.status, caught.value.error_code, caught.value.description) == (404, "NOT_FOUND", "Not found")
    assert str(caught.value) == "Not found."
    assert len(script.calls("GET", "/numbers/1/numbers/NOPE")) == 1
    assert_key_hidden(caught.value)


async def test_legacy_validation_errors_become_violations(client, script):
    body = {
        "requestError": {
            "serviceException": {
                "messageId": "BAD_REQUEST",
                "text": "Bad request",
                "validationErrors": {"applicationId": ["must not be blank"]},
            }
        }
    }
    script.on("POST", "/provisioning/1/applications", Answer(400, body))
    with pytest.raises(InfobipAPIError) as caught:
        await client.create_application(Application(application_id=" "))
    assert caught.value.violations == [("applicationId", "must not be blank")]
    assert str(caught.value) == "Bad request. (applicationId: must not be blank)"


async def test_error_bodies_in_neither_shape_still_read_well(client, script):
    script.on("GET", f"{REQUESTS}/r1", Answer(401, b"<html><body>Login</body></html>", {"content-type": "text/html"}))
    with pytest.raises(InfobipAPIError) as caught:
        await client.get_resource_request("r1")
    assert str(caught.value) == "Infobip answered HTTP 401 Unauthorized."

    script.on("GET", f"{REQUESTS}/r2", Answer(400, b"unknown sort field", {"content-type": "text/plain"}))
    with pytest.raises(InfobipAPIError) as caught:
        await client.get_resource_request("r2")
    assert str(caught.value) == "Infobip answered HTTP 400 Bad Request. unknown sort field."
    assert caught.value.error_code is None


# ---- Retries of idempotent calls ------------------------------------------------------------


async def test_get_is_retried_after_429_honouring_retry_after(client, script, caplog):
    script.on(
        "GET",
        f"{REQUESTS}/r1",
        Answer(429, {"errorCode": "E429", "description": "Too many requests sent."}, {"Retry-After": "1"}),
        Answer(body=REQUEST),
    )
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="bot.providers.infobip"):
        request = await client.get_resource_request("r1")
    assert time.monotonic() - started >= 0.95
    assert request.status == "IN_REVIEW"
    assert len(script.calls("GET", f"{REQUESTS}/r1")) == 2
    assert "get-resource-request failed (HTTP 429); retry 1 of 3 in 1.00s" in caplog.text
    assert API_KEY not in caplog.text


async def test_get_is_retried_after_503(client, script):
    script.on("GET", f"{REQUESTS}/r1", Answer(503, b"busy"), Answer(body=REQUEST))
    assert (await client.get_resource_request("r1")).id == REQUEST["id"]
    assert len(script.calls("GET", f"{REQUESTS}/r1")) == 2


async def test_get_is_retried_after_a_cut_connection(client, script):
    script.on("GET", f"{REQUESTS}/r1", Answer(drop=True), Answer(body=REQUEST))
    assert (await client.get_resource_request("r1")).id == REQUEST["id"]
    assert len(script.calls("GET", f"{REQUESTS}/r1")) == 2


async def test_retries_are_bounded(server, script):
    running, _ = server
    script.on(
        "GET", f"{REQUESTS}/r1", Answer(503, {"errorCode": "E503", "description": "Unavailable."}, {"Retry-After": "0"})
    )
    async with fast_client(running.url, max_retries=2) as infobip:
        with pytest.raises(InfobipAPIError) as caught:
            await infobip.get_resource_request("r1")
    assert caught.value.status == 503
    assert len(script.calls("GET", f"{REQUESTS}/r1")) == 3


async def test_a_retry_after_beyond_the_wait_budget_is_not_waited(client, script):
    script.on(
        "GET",
        f"{REQUESTS}/r1",
        Answer(429, {"errorCode": "E429", "description": "Too many requests sent."}, {"Retry-After": "120"}),
    )
    started = time.monotonic()
    with pytest.raises(InfobipRateLimited) as caught:
        await client.get_resource_request("r1")
    assert time.monotonic() - started < 1
    assert caught.value.retry_after == 120
    assert len(script.calls("GET", f"{REQUESTS}/r1")) == 1


def test_retry_after_as_an_http_date():
    now = time.time()
    headers = httpx.Headers({"Retry-After": email.utils.formatdate(now + 30, usegmt=True)})
    assert retry_after_seconds(headers, now=now) == pytest.approx(30, abs=1)
    assert retry_after_seconds(httpx.Headers({"Retry-After": "2.5"})) == 2.5
    assert retry_after_seconds(httpx.Headers({"Retry-After": "soon"})) is None
    assert retry_after_seconds(httpx.Headers()) is None


# ---- Non-idempotent calls: resend only when nothing can have been applied -------------------


async def test_submit_answered_500_is_not_resent(client, script):
    script.on(
        "POST",
        REQUESTS,
        Answer(500, {"errorCode": "E500", "description": "Something went wrong."}),
        Answer(201, CREATED),
    )
    with pytest.raises(InfobipUnknownOutcome) as caught:
        await client.submit_resource_request(SUBMIT)
    assert caught.value.status == 500 and caught.value.operation_id == "submit-resource-request"
    assert len(script.calls("POST", REQUESTS)) == 1
    assert_key_hidden(caught.value)


async def test_submit_timing_out_is_not_resent(server, script):
    running, _ = server
    script.on("POST", REQUESTS, Answer(201, CREATED, delay=0.6))
    async with fast_client(running.url, timeout=httpx.Timeout(0.2)) as infobip:
        with pytest.raises(InfobipUnknownOutcome) as caught:
            await infobip.submit_resource_request(SUBMIT)
    assert "timed out" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert len(script.calls("POST", REQUESTS)) == 1
    assert_key_hidden(caught.value)


async def test_submit_cut_off_after_sending_is_not_resent(client, script):
    script.on("POST", REQUESTS, Answer(drop=True), Answer(201, CREATED))
    with pytest.raises(InfobipUnknownOutcome, match="connection was lost"):
        await client.submit_resource_request(SUBMIT)
    assert len(script.calls("POST", REQUESTS)) == 1


async def test_submit_answered_429_is_resent(client, script):
    script.on(
        "POST",
        REQUESTS,
        Answer(429, {"errorCode": "E429", "description": "Too many requests sent."}, {"Retry-After": "0"}),
        Answer(201, CREATED),
    )
    assert await client.submit_resource_request(SUBMIT) == CREATED["id"]
    first, second = script.calls("POST", REQUESTS)
    assert first.body == second.body


async def test_a_refused_connection_is_retried_then_reported():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with fast_client(f"http://127.0.0.1:{port}", max_retries=1) as infobip:
        with pytest.raises(InfobipTransportError, match="could not connect") as caught:
            await infobip.submit_resource_request(SUBMIT)  # safe: nothing was sent
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert_key_hidden(caught.value)


async def test_no_error_text_ever_shows_the_key(client, script):
    script.on(
        "GET",
        f"{REQUESTS}/r1",
        Answer(403, {"requestError": {"serviceException": {"messageId": "FORBIDDEN", "text": "Forbidden"}}}),
    )
    with pytest.raises(InfobipError) as caught:
        await client.get_resource_request("r1")
    assert_key_hidden(caught.value)
    assert API_KEY not in repr(client)


# ---- Shapes of particular operations --------------------------------------------------------


async def test_paged_list_with_repeated_filters(client, script):
    page = {"results": [REQUEST], "paging": {"page": 0, "size": 1, "totalPages": 2, "totalResults": 2}}
    script.on("GET", REQUESTS, Answer(body=page), Answer(body={**page, "paging": {**page["paging"], "page": 1}}))
    found = [
        r.id
        async for r in iterate_pages(
            lambda number: client.list_resource_requests(statuses=["IN_REVIEW", "PENDING"], page=number, size=1)
        )
    ]
    assert found == [REQUEST["id"]] * 2
    assert [call.query for call in script.calls("GET", REQUESTS)] == [
        "status=IN_REVIEW&status=PENDING&page=0&size=1",
        "status=IN_REVIEW&status=PENDING&page=1&size=1",
    ]


async def test_delete_association_sends_its_json_body(client, script):
    script.on("DELETE", "/provisioning/1/associations", Answer(204))
    body = ResourceAssociationRequest(
        resource_type="NUMBER", channel="SMS", application_id="app", entity_id="ent", resource_id="NUMBERKEY"
    )
    assert await client.delete_association(body) is None
    [call] = script.seen
    assert json.loads(call.body) == {
        "resourceType": "NUMBER",
        "channel": "SMS",
        "applicationId": "app",
        "entityId": "ent",
        "resourceId": "NUMBERKEY",
    }


async def test_upload_is_multipart_field_document(client, script):
    script.on("POST", "/resources/1/documents", Answer(201, {"documentId": "DOC1"}))
    assert await client.upload_document("Registration.PDF", b"%PDF-1.7") == "DOC1"
    [call] = script.seen
    assert call.headers["content-type"].startswith("multipart/form-data")
    assert b'name="document"; filename="Registration.PDF"' in call.body
    assert b"Content-Type: application/pdf" in call.body

    with pytest.raises(ValueError, match="allowed document types"):
        await client.upload_document("notes.txt", b"hello")
    assert len(script.seen) == 1
