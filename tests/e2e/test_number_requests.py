"""Number purchase requests from `/resource number …` to COMPLETED: the numbers and the
reviewer's note land in the thread and on the root message."""

from __future__ import annotations

from tests.support.names import ALICE, CHANNEL
from tests.support.world import BOTH_TRANSPORTS

pytestmark = BOTH_TRANSPORTS  # the same request flow over HTTP and over Socket Mode

US_10DLC = "number US TEN_DIGIT_LONG_CODE SMS 2"
LOCATION = {"state": "IN", "npa": "317"}  # the sandbox stocks three Indiana 317 numbers


def input_blocks(view: dict) -> list[str]:
    return [b["block_id"] for b in view["blocks"] if b.get("type") == "input"]


def test_us_10dlc_request_completes_with_the_procured_numbers(world):
    world.driver.slash_command("/resource", US_10DLC, user=ALICE, channel=CHANNEL)
    form = world.view(callback_id="request_form", contains="npa")
    assert {"state", "npa", "nxx"} <= set(input_blocks(form))
    quantity = next(b for b in form["blocks"] if b.get("block_id") == "quantity")
    assert quantity["element"]["initial_value"] == "2"

    submitted = world.driver.submit_view(LOCATION, user=ALICE)
    assert not submitted.errors, submitted.errors
    world.view(contains="submitted")
    [request] = world.requests()
    world.wait_thread(request.id, 1)
    sent = world.sandbox_request(request)
    assert sent["details"]["numberType"] == "TEN_DIGIT_LONG_CODE" and sent["details"]["quantity"] == 2
    assert {r["key"]: r["value"] for r in sent["requirements"]} == LOCATION

    done = world.reviewer(request, "complete")
    keys = [n["numberKey"] for n in done["numbers"]]
    assert len(keys) == 2
    thread = world.wait_thread(request.id, 2)
    reply = str(thread[1]["blocks"])
    assert "Completed" in reply and f"<@{ALICE}>" in reply
    assert all(key in reply for key in keys)
    world.wait_idle()
    root = world.root_text(request)
    assert "Completed" in root and all(key in root for key in keys)
    assert "request_update" not in root and "request_cancel" not in root


def test_partial_completion_shows_the_numbers_and_the_note(world):
    request = world.new_request(US_10DLC, LOCATION)
    done = world.reviewer(request, "complete", procured=1)
    [number] = done["numbers"]
    thread = world.wait_thread(request.id, 2)
    reply = str(thread[1]["blocks"])
    assert "Only 1 out of 2 requested numbers could be procured." in reply
    assert number["numberKey"] in reply
    world.wait_idle()
    root = world.root_text(request)
    assert "Completed" in root and "Only 1 out of 2" in root and number["numberKey"] in root
    stored = world.request(request.id)
    assert stored.status == "COMPLETED" and len(stored.numbers) == 1


def test_gb_virtual_long_number_has_only_the_fixed_fields_and_submits(world):
    world.driver.slash_command("/resource", "number GB VIRTUAL_LONG_NUMBER", user=ALICE, channel=CHANNEL)
    form = world.view(callback_id="request_form")
    assert input_blocks(form) == ["quantity", "additionalContactEmails", "applicationId", "entityId"]
    submitted = world.driver.submit_view({}, user=ALICE)
    assert not submitted.errors, submitted.errors
    world.view(contains="submitted")
    [request] = world.requests()
    sent = world.sandbox_request(request)
    assert sent["requirements"] == [] and sent["countryCode"] == "GB"
    assert sent["details"]["numberType"] == "VIRTUAL_LONG_NUMBER" and sent["details"]["quantity"] == 1
    world.wait_thread(request.id, 1)
    assert "Number purchase" in world.root_text(request)
