"""The contract as a validator can read it, the fixtures the resource-request tests share, and the
proof that each correction of the contract is needed.

Infobip's published document has flaws that make openapi-core reject exchanges the document
itself gives as examples. `readable_spec()` corrects exactly these, and nothing else:

1. `JsonNode` (a requirement's value) is typed `object`, though its description, and every
   example, say "a string, integer, or a list of strings and integers": any JSON value.
2. Dates use Infobip's format, `2025-03-11T09:22:47.000+0000`, in the examples and on the wire,
   but are declared `format: date-time` (RFC 3339 wants `+00:00`): accept both.
3. Owned-resource and coverage answers are a `oneOf` whose variants differ only by the value
   of `resourceType`, which each variant types as the whole enum: every answer matches several
   variants. Pin each variant to its own value.
4. Binary bodies are `type: string, format: binary`; openapi-core hands them over as bytes.
5. Errors declared under `*/*` are JSON, but openapi-core parses only a JSON media type.

These belong in tests/support/contract.py; until they move there, the `contract` fixture
here swaps them in.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import lru_cache

import httpx
import pytest
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from rfc3339_validator import validate_rfc3339

import tests.support.contract as contract_module
from tests.support.contract import SPEC_PATH, ContractRecorder

INFOBIP_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?[+-]\d{4}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
RESOURCE_TYPE_OF_VARIANT = {
    "Alpha": "ALPHANUMERIC", "Number": "NUMBER", "Rcs": "RCS_RESOURCE", "Viber": "VIBER_RESOURCE",
    "Apple": "APPLE_RESOURCE", "OpenChannel": "OPEN_CHANNEL_RESOURCE", "Kakao": "KAKAO_RESOURCE",
    "Facebook": "FACEBOOK_RESOURCE",
}


def _raw_spec() -> dict:
    return contract_module._with_discriminator_mappings(json.loads(SPEC_PATH.read_text()))


def _walk(node: object, visit: Callable[[dict], None]) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def readable_spec() -> dict:
    spec = _raw_spec()
    schemas = spec["components"]["schemas"]
    for name, schema in schemas.items():
        if name.endswith(".JsonNode"):
            schema.pop("type")                                                        # 1
        if name.endswith((".IbResourceCoverageInfo", ".IbResourceInfo")):
            for variant in schema["oneOf"]:                                           # 3
                target = variant["$ref"].rsplit("/", 1)[-1]
                prefix = re.sub(r"(CoverageInfo|ResourceInfo)$", "", target.rsplit(".", 1)[-1])
                schemas[target]["properties"]["resourceType"] = {
                    "type": "string", "enum": [RESOURCE_TYPE_OF_VARIANT[prefix]]}

    def binary_and_wildcards(node: dict) -> None:
        if node.get("type") == "string" and node.get("format") == "binary":
            del node["type"]                                                          # 4
        content = node.get("content")
        if isinstance(content, dict) and "*/*" in content and "application/json" not in content \
                and "$ref" in content["*/*"].get("schema", {}):
            content["application/json"] = content["*/*"]                              # 5

    _walk(spec, binary_and_wildcards)
    return spec


def _date_time(value: object) -> bool:                                                # 2
    return not isinstance(value, str) or bool(INFOBIP_DATE.match(value)) or validate_rfc3339(value)


@lru_cache(maxsize=1)
def readable_contract() -> OpenAPI:
    return OpenAPI.from_dict(readable_spec(), config=Config(extra_format_validators={"date-time": _date_time}))


class _WebhookCall:
    """A webhook body seen through openapi-core's WebhookRequest protocol."""

    def __init__(self, name: str, body: dict) -> None:
        self.name = name
        self.method = "post"
        self.body = json.dumps(body).encode()
        self.content_type = "application/json"
        self.parameters = RequestParameters()


def webhook_problems(name: str, body: dict) -> list[str]:
    """Why a webhook body breaks the contract's `webhooks.<name>` (empty when it does not)."""
    return [str(error) for error in readable_contract().iter_webhook_request_errors(_WebhookCall(name, body))]


STATUS_WEBHOOK = "resource-request-status-change-notification"
REMINDER_WEBHOOK = "resource-request-reminder-notification"


@pytest.fixture
def contract(monkeypatch) -> ContractRecorder:
    """The shared ContractRecorder, checking against the readable contract."""
    monkeypatch.setattr(contract_module, "infobip_contract", readable_contract)
    return ContractRecorder()


# ---- a running sandbox and its two clients --------------------------------------------------------

@dataclass
class Session:
    sandbox: object
    api: httpx.AsyncClient      # Infobip's paths: every exchange checked against the contract
    admin: httpx.AsyncClient    # /_sandbox: not Infobip's, not checked

    async def upload(self, filename: str, data: bytes, content_type: str = "application/pdf") -> httpx.Response:
        request = self.api.build_request("POST", "/resources/1/documents",
                                         files={"document": (filename, data, content_type)})
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
async def open_session(start_sandbox, contract) -> AsyncIterator[Callable[..., "Session"]]:
    """Start a sandbox (keyword arguments override SandboxConfig) and open its clients.

    Rate limits are off: they are the gate's concern, tested elsewhere, and these tests submit
    faster than even a sped-up 1 request/second allows.
    """
    clients: list[httpx.AsyncClient] = []

    async def open_(**overrides) -> Session:
        running = start_sandbox(enforce_rate_limits=False, **overrides)
        api = httpx.AsyncClient(base_url=running.url, headers=running.auth, timeout=10.0,
                                event_hooks={"response": [contract.hook]})
        admin = httpx.AsyncClient(base_url=running.url + "/_sandbox", headers=running.auth, timeout=15.0)
        clients.extend((api, admin))
        return Session(running.sandbox, api, admin)

    yield open_
    for client in clients:
        await client.aclose()


def hr_alpha(document_id: str, sender: str = "InfobipHR", **values) -> dict:
    """The contract's Croatian alpha example, valid; `values` replace requirement values (None drops)."""
    requirements = {
        "companyName": "Infobip", "vatNumber": "HR12345678901", "useCase": "Notifications",
        "expectedMonthlyMessages": 50000, "companyEmailAddresses": ["contact@infobip.com", "info@infobip.com"],
        "companyWebsite": "https://www.infobip.com", "contactPhoneNumber": "+385911234567",
        "companyRegistrationDocument": document_id,
        "registrationConsent": "I consent that Infobip will do registration in my name.",
    }
    requirements.update(values)
    return {"type": "ALPHANUMERIC_REGISTRATION", "senderName": sender, "countryCode": "HR",
            "additionalContactEmails": ["alphanumeric@infobip.com"], "trafficOrigin": "LOCAL",
            "trafficType": "TRANSACTIONAL",
            "requirements": [{"key": k, "value": v} for k, v in requirements.items() if v is not None],
            "platform": {"applicationId": "application-id", "entityId": "entity-id"}}


def numbers(country: str, number_type: str = "VIRTUAL_LONG_NUMBER", quantity: int = 1,
            capabilities: tuple[str, ...] = ("SMS",), requirements: dict | None = None) -> dict:
    return {"type": "NUMBER_PURCHASE", "countryCode": country, "numberType": number_type,
            "capabilities": list(capabilities), "quantity": quantity,
            "requirements": [{"key": k, "value": v} for k, v in (requirements or {}).items()]}


# ---- each correction is needed, and the corrected contract still accepts the contract's examples --

def _examples(where: dict) -> list[dict]:
    return [example["value"] for example in where["content"]["application/json"]["examples"].values()]


def _failures(spec: OpenAPI, response: httpx.Response) -> list[str]:
    recorder = ContractRecorder()
    original = contract_module.infobip_contract
    contract_module.infobip_contract = lambda: spec
    try:
        recorder.check(response)
    finally:
        contract_module.infobip_contract = original
    return recorder.failures


BASE = "https://xxxxx.api.infobip.com"
AUTH = {"Authorization": "App key"}


def _exchanges() -> dict[str, httpx.Response]:
    spec = json.loads(SPEC_PATH.read_text())
    paths = spec["paths"]
    one = _examples(paths["/resources/1/requests/{id}"]["get"]["responses"]["200"])[0]
    owned = _examples(paths["/resources/1/resources"]["post"]["responses"]["200"])[0]
    upload = httpx.Request("POST", BASE + "/resources/1/documents", headers=AUTH,
                           files={"document": ("a.pdf", b"%PDF-1.4", "application/pdf")})
    upload.read()
    get_one = httpx.Request("GET", f"{BASE}/resources/1/requests/{one['id']}", headers=AUTH)
    document = httpx.Request("GET", BASE + "/resources/1/documents/ABC", headers=AUTH)
    missing = {"errorCode": "RR-DOC404", "description": "Document not found.",
               "action": "Please verify the document ID and adjust your request.", "violations": [], "resources": []}
    return {
        "1+2: the contract's own GET example": httpx.Response(200, json=one, request=get_one),
        "3: the contract's own owned-resources example": httpx.Response(
            200, json=owned, request=httpx.Request("POST", BASE + "/resources/1/resources", headers=AUTH,
                                                   json={"resourceType": "NUMBER"})),
        "4: an upload": httpx.Response(201, json={"documentId": "ABC"}, headers={"Location": "/x"}, request=upload),
        "4: a download": httpx.Response(200, content=b"%PDF-1.4", headers={"Content-Type": "application/pdf"},
                                        request=document),
        "5: the contract's RR-DOC404": httpx.Response(404, json=missing, request=document),
    }


@pytest.mark.parametrize("case", sorted(_exchanges()))
def test_each_correction_is_needed_and_enough(case):
    response = _exchanges()[case]
    assert _failures(contract_module.infobip_contract(), response), "the published contract accepts it after all"
    assert _failures(readable_contract(), response) == []


def test_the_corrections_still_reject_what_the_contract_forbids():
    one = _exchanges()["1+2: the contract's own GET example"]
    body = one.json() | {"requestedDate": "11.03.2025", "status": "SOMETHING_ELSE"}
    problems = _failures(readable_contract(), httpx.Response(200, json=body, request=one.request))
    assert problems and "date-time" in problems[0] and "SOMETHING_ELSE" in problems[0]


def test_the_contracts_webhook_examples_pass_the_webhook_check():
    spec = json.loads(SPEC_PATH.read_text())
    for name in (STATUS_WEBHOOK, REMINDER_WEBHOOK):
        for body in _examples(spec["webhooks"][name]["post"]["requestBody"]):
            assert webhook_problems(name, body) == []
    assert webhook_problems(REMINDER_WEBHOOK, {"results": [{"event": "RESOURCE_REQUEST_REMINDER", "content": {}}]})
