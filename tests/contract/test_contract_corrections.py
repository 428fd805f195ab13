"""Each correction tests/support/contract.py makes to Infobip's published document is needed
(the published document rejects an exchange it gives as its own example) and enough (the
corrected one accepts it), and the corrected document still rejects what it forbids."""

from __future__ import annotations

import json

import httpx
import pytest
from openapi_core import OpenAPI

from tests.support.contract import (
    REMINDER_WEBHOOK,
    SPEC_PATH,
    STATUS_WEBHOOK,
    ContractRecorder,
    infobip_contract,
    published_contract,
    webhook_problems,
)


def _examples(where: dict) -> list[dict]:
    return [example["value"] for example in where["content"]["application/json"]["examples"].values()]


def _failures(spec: OpenAPI, response: httpx.Response) -> list[str]:
    recorder = ContractRecorder(spec)
    recorder.check(response)
    return recorder.failures


BASE = "https://xxxxx.api.infobip.com"
AUTH = {"Authorization": "App key"}


def _exchanges() -> dict[str, httpx.Response]:
    spec = json.loads(SPEC_PATH.read_text())
    paths = spec["paths"]
    one = _examples(paths["/resources/1/requests/{id}"]["get"]["responses"]["200"])[0]
    owned = _examples(paths["/resources/1/resources"]["post"]["responses"]["200"])[0]
    upload = httpx.Request(
        "POST",
        BASE + "/resources/1/documents",
        headers=AUTH,
        files={"document": ("a.pdf", b"%PDF-1.4", "application/pdf")},
    )
    upload.read()
    get_one = httpx.Request("GET", f"{BASE}/resources/1/requests/{one['id']}", headers=AUTH)
    document = httpx.Request("GET", BASE + "/resources/1/documents/ABC", headers=AUTH)
    missing = {
        "errorCode": "RR-DOC404",
        "description": "Document not found.",
        "action": "Please verify the document ID and adjust your request.",
        "violations": [],
        "resources": [],
    }
    return {
        "1+2: the contract's own GET example": httpx.Response(200, json=one, request=get_one),
        "3: the contract's own owned-resources example": httpx.Response(
            200,
            json=owned,
            request=httpx.Request(
                "POST", BASE + "/resources/1/resources", headers=AUTH, json={"resourceType": "NUMBER"}
            ),
        ),
        "4: an upload": httpx.Response(201, json={"documentId": "ABC"}, headers={"Location": "/x"}, request=upload),
        "4: a download": httpx.Response(
            200, content=b"%PDF-1.4", headers={"Content-Type": "application/pdf"}, request=document
        ),
        "5: the contract's RR-DOC404": httpx.Response(404, json=missing, request=document),
    }


@pytest.mark.parametrize("case", sorted(_exchanges()))
def test_each_correction_is_needed_and_enough(case):
    response = _exchanges()[case]
    assert _failures(published_contract(), response), "the published contract accepts it after all"
    assert _failures(infobip_contract(), response) == []


def test_the_corrections_still_reject_what_the_contract_forbids():
    one = _exchanges()["1+2: the contract's own GET example"]
    body = one.json() | {"requestedDate": "11.03.2025", "status": "SOMETHING_ELSE"}
    problems = _failures(infobip_contract(), httpx.Response(200, json=body, request=one.request))
    assert problems and "date-time" in problems[0] and "SOMETHING_ELSE" in problems[0]


def test_the_contracts_webhook_examples_pass_the_webhook_check():
    spec = json.loads(SPEC_PATH.read_text())
    for name in (STATUS_WEBHOOK, REMINDER_WEBHOOK):
        for body in _examples(spec["webhooks"][name]["post"]["requestBody"]):
            assert webhook_problems(name, body) == []
    assert webhook_problems(REMINDER_WEBHOOK, {"results": [{"event": "RESOURCE_REQUEST_REMINDER", "content": {}}]})
