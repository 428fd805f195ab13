"""A country asking for more fields than one modal holds (100 blocks) gets a form of several
pages; every page is validated on its own and Infobip receives all the values once, at the end."""

from __future__ import annotations

from bot.sandbox.infobip import requirements_catalog
from tests.support.names import ALICE, CHANNEL

FIELDS = 130


def long_requirement_set() -> list[dict]:
    return [
        {
            "key": f"field{n:03d}",
            "type": "TEXT",
            "name": f"Field {n}",
            "description": f"Detail number {n}.",
            "required": n % 2 == 0,
            "category": "OTHER",
            "validation": {"maxLength": 50},
        }
        for n in range(FIELDS)
    ]


def fill(view: dict) -> dict[str, str]:
    values = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        block_id = block["block_id"]
        values[block_id] = "ACME" if block_id == "senderName" else f"value of {block_id}"
    return {k: v for k, v in values.items() if k.startswith("field") or k == "senderName"}


def test_a_form_longer_than_a_modal_is_filled_page_by_page_and_submitted_once(world, monkeypatch):
    monkeypatch.setitem(requirements_catalog.ALPHA, "DE", long_requirement_set())
    world.driver.slash_command("/resource", "sender DE", user=ALICE, channel=CHANNEL)
    view = world.view(callback_id="request_form", contains="Page 1 of")
    pages = 0
    while True:
        pages += 1
        assert len(view["blocks"]) <= 100 and len(view["private_metadata"]) <= 3000
        answer = world.driver.submit_view(fill(view), user=ALICE)
        assert not answer.errors, answer.errors
        if view["submit"]["text"] != "Next":
            break
        view = world.view(callback_id="request_form", contains=f"Page {pages + 1} of")
    assert pages >= 2
    world.view(contains="submitted")

    [request] = world.requests()
    sent = world.sandbox_admin.get(f"/resource-requests/{request.provider_request_id}").json()
    values = {item["key"]: item["value"] for item in sent["requirements"]}
    assert len(values) == FIELDS and values["field129"] == "value of field129"
    assert sent["api"]["senderName"] == "ACME"
