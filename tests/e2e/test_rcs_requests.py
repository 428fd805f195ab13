"""RCS sender launches over real HTTP with the stand-ins: `/resource rcs SE` to COMPLETED through a
reviewer's request for changes and the requester's update, all in one thread; a cancel; what the
verb says to input it does not understand or a country without RCS; the launcher's choice; and a
launch that waits for approval and reaches Infobip once approved, exactly once."""

from __future__ import annotations

import pytest

from bot.domain.approvals import WAITING_APPROVAL
from tests.e2e.test_approvals_slack import APPROVERS, click, replay, request_message, told
from tests.support.names import ALICE, BOB, CHANNEL
from tests.support.world import BOTH_TRANSPORTS, block_text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SUBMIT = "submit-resource-request"
# Longer than an alphanumeric sender may be: the RCS form takes up to 255 characters.
SENDER = "Shop Sverige Kundservice"


def fill_rcs_form(world, **overrides) -> dict:
    """Values for the Swedish (or, without companyPhoneNumber, the Croatian) RCS form."""
    letter = world.slack.add_file("attestation-letter.pdf", "application/pdf", PDF, user=ALICE)
    values = {
        "senderName": SENDER,
        "excludedCarriers": "Tele2",
        "legalBrandCompanyName": "Shop AB",
        "stockExchange": "Nasdaq Stockholm",
        "contactPersonEmailAddresses": "anna.berg@shop.example",
        "contactPersonPhoneNumber": "+46 70 123 45 67",
        "companyPhoneNumber": "+46 8 123 456 78",
        "attestationLetter": [letter],
        "stopMessage": "STOP",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def infobip_calls(world, operation: str) -> int:
    return int(world.sandbox_admin.get("/calls").json()["calls"].get(operation, 0))


def root_saying(world, request, words: str) -> None:
    world.wait(lambda: words in world.root_text(request), what=f"the root message to show {words}")


@BOTH_TRANSPORTS
def test_an_rcs_launch_from_the_command_to_completed_through_an_update(world):
    ack = world.driver.slash_command("/resource", "rcs SE", user=ALICE, channel=CHANNEL)
    assert ack.status == 200 and ack.in_time
    form = world.view(callback_id="request_form", contains="companyPhoneNumber")
    assert form["title"]["text"] == "Request RCS · SE"
    sender = next(b for b in form["blocks"] if b.get("block_id") == "senderName")
    assert sender["element"]["max_length"] == 255
    assert "excludedCarriers" in str(form["blocks"])

    submitted = world.driver.submit_view(fill_rcs_form(world), user=ALICE)
    assert submitted.status == 200 and not submitted.errors, submitted.errors
    world.view(contains="submitted")
    [request] = world.requests()
    assert (request.kind, request.country, request.sender_name) == ("RCS_SENDER_LAUNCH", "SE", SENDER)
    assert request.status == "PENDING" and request.requester == ALICE and request.channel == CHANNEL
    (root,) = world.wait_thread(request.id, 1)
    root_text = block_text(root)
    assert "RCS sender launch" in root_text and SENDER in root_text and "Shop AB" in root_text
    assert "Excluded carriers: Tele2" in root_text and "attestation-letter.pdf" in root_text
    sent = world.sandbox_request(request)
    assert sent["api"]["trafficOrigin"] == "LOCAL" and sent["api"]["excludedCarriers"] == ["Tele2"]
    assert sent["api"]["senderName"] == SENDER
    values = {r["key"]: r["value"] for r in sent["requirements"]}
    assert values["contactPersonEmailAddresses"] == ["anna.berg@shop.example"]
    assert values["contactPersonPhoneNumber"] == "+46701234567" and values["companyPhoneNumber"] == "+46812345678"

    # Through automatic validation into review; the reviewer asks for a different stop message.
    world.reviewer(request, "advance")
    world.reviewer(request, "advance")
    assert world.sandbox_request(request)["status"] == "PENDING_REVIEW"
    world.reviewer(
        request,
        "request-changes",
        feedback=[{"key": "stopMessage", "code": "RES_REQ_FEED_OTHER", "feedback": "Offer the Swedish word too."}],
    )
    thread = world.wait_thread(request.id, 2)
    reply = block_text(thread[1])
    assert f"<@{ALICE}>" in reply and "Stop Message" in reply and "Swedish word" in reply
    assert "request_update" in reply
    root_saying(world, request, "Update requested")

    # Alice updates from the thread: the lookup needs the launch's origin again, the form comes
    # back with the remark, and every requirement is sent again.
    world.driver.block_action("request_update", request.id, user=ALICE, channel=CHANNEL, message_ts=thread[1]["ts"])
    update_form = world.view(callback_id="request_form", contains="Swedish word")
    assert "senderName" not in str(update_form["blocks"])  # PATCH can't change it: not asked
    updated = world.driver.submit_view({"stopMessage": "STOP or SLUTA"}, user=ALICE)
    assert not updated.errors, updated.errors
    world.view(contains="update was sent")
    thread = world.wait_thread(request.id, 3)
    assert "sent an update" in block_text(thread[2])
    stored = world.sandbox_request(request)
    assert stored["status"] == "AUTOMATIC_VALIDATION"
    resent = {r["key"]: r["value"] for r in stored["requirements"]}
    assert resent["stopMessage"] == "STOP or SLUTA" and resent["legalBrandCompanyName"] == "Shop AB"
    assert resent["attestationLetter"] == values["attestationLetter"]  # the letter kept without attaching it again

    for _ in range(3):  # validation, review, the reviewer's approval
        world.reviewer(request, "advance")
    world.reviewer(request, "complete", note="Launched with Telia and Telenor.")
    thread = world.wait_thread(request.id, 4)
    assert "Completed" in block_text(thread[3]) and "Launched with Telia" in block_text(thread[3])
    root_saying(world, request, "Completed")
    root_now = world.root_text(request)
    assert "request_update" not in root_now and "request_cancel" not in root_now
    assert infobip_calls(world, SUBMIT) == 1 and len(world.requests()) == 1


def test_an_rcs_launch_waiting_for_an_update_is_cancelled_by_its_requester(world):
    values = fill_rcs_form(world, companyPhoneNumber=None, excludedCarriers=None, senderName="Dućan")
    values["contactPersonPhoneNumber"] = "+385 91 123 4567"
    request = world.new_request("rcs HR", values)
    assert request.kind == "RCS_SENDER_LAUNCH" and request.sender_name == "Dućan"
    request = world.ask_for_changes(request, "attestationLetter", "The letter is not signed.")
    assert request.status == "UPDATE_REQUESTED" and "request_cancel" in world.root_text(request)
    world.driver.block_action("request_cancel", request.id, user=ALICE, channel=CHANNEL, message_ts=request.thread_ts)
    world.wait(lambda: world.sandbox_request(request)["status"] == "CANCELED", what="the sandbox to show CANCELED")
    thread = world.wait_thread(request.id, 3)
    assert "canceled" in block_text(thread[2]) and f"<@{ALICE}>" in block_text(thread[2])
    world.wait_idle()
    root = world.root_text(request)
    assert "Canceled" in root and "request_update" not in root and "request_cancel" not in root
    assert world.request(request.id).status == "CANCELED" and infobip_calls(world, "cancel-resource-request") == 1


def test_rcs_input_it_does_not_understand_is_answered_ephemerally_and_opens_nothing(world):
    for text, expected in (
        ("rcs", "Which country?"),
        ("rcs Atlantis", "I don't know the country “Atlantis”"),
        ("rcs HR PROMOTIONAL", "“PROMOTIONAL” is not a traffic origin"),
        ("rcs HR LOCAL now", "takes a country and at most a traffic origin"),
    ):
        answer = world.driver.slash_command("/resource", text, user=ALICE, channel=CHANNEL)
        assert answer.status == 200 and answer.in_time
        assert answer.json["response_type"] == "ephemeral"
        shown = world.slack.ephemeral(CHANNEL, ALICE)[-1]["text"]
        assert expected in shown, shown
        assert "`/resource rcs <country> [LOCAL|INTERNATIONAL]`" in shown
    assert world.slack.calls("views.open") == [] and world.slack.messages(CHANNEL) == []


def test_a_country_without_rcs_says_so_and_the_launcher_opens_the_rcs_form(world):
    world.driver.slash_command("/resource", "rcs GB", user=ALICE, channel=CHANNEL)
    refused = str(world.view(ALICE, contains="RCS is not supported")["blocks"])
    assert "supported country" in refused
    assert world.requests() == [] and infobip_calls(world, SUBMIT) == 0
    world.slack.close_views(ALICE, clear=True)

    world.driver.slash_command("/resource", "", user=ALICE, channel=CHANNEL)
    launcher = world.view(ALICE, callback_id="launcher")
    assert "Launch an RCS sender" in str(launcher["blocks"])
    assert not world.driver.submit_view({"what": "rcs", "country": "Germany"}, user=ALICE).errors
    form = world.view(ALICE, callback_id="request_form", contains="brandWebsite")
    assert form["title"]["text"] == "Request RCS · DE"
    assert "companyRegistrationAbroad" not in str(form["blocks"])  # the launcher's launch is LOCAL


def test_the_origin_typed_reaches_the_lookup_and_the_request(world):
    world.driver.slash_command("/resource", "rcs DE INTERNATIONAL", user=ALICE, channel=CHANNEL)
    form = world.view(ALICE, callback_id="request_form", contains="companyRegistrationAbroad")
    assert "brandWebsite" in str(form["blocks"])  # Germany's set, and what a business from abroad adds
    proof = world.slack.add_file("handelsregister.pdf", "application/pdf", PDF, user=ALICE)
    values = fill_rcs_form(world, excludedCarriers="Vodafone Germany", brandWebsite="https://shop.example")
    submitted = world.driver.submit_view({**values, "companyRegistrationAbroad": [proof]}, user=ALICE)
    assert not submitted.errors, submitted.errors
    world.view(ALICE, contains="submitted")
    [request] = world.requests()
    sent = world.sandbox_request(request)
    assert sent["api"]["trafficOrigin"] == "INTERNATIONAL" and sent["api"]["excludedCarriers"] == ["Vodafone Germany"]


@pytest.mark.world(resourcebot_approvers=APPROVERS, resourcebot_approval_for="rcs-request")
def test_an_rcs_launch_waiting_for_approval_is_submitted_once_approved(world):
    world.driver.slash_command("/resource", "rcs SE", user=ALICE, channel=CHANNEL)
    form = world.view(ALICE, callback_id="request_form", contains="companyPhoneNumber")
    assert form["submit"]["text"] == "Ask for approval"
    submitted = world.driver.submit_view({**fill_rcs_form(world), "approval_reason": "Order updates"}, user=ALICE)
    assert submitted.status == 200 and not submitted.errors, submitted.errors
    world.view(ALICE, contains="waits for approval")
    [request] = world.requests()
    world.wait_thread(request.id, 1)
    assert world.request(request.id).status == WAITING_APPROVAL
    assert "Waiting for approval" in world.root_text(request)
    message = request_message(world, BOB)
    text = str(message["blocks"])
    assert f"<@{ALICE}> asks Infobip to launch" in text and f"RCS sender {SENDER}" in text
    assert "Order updates" in text
    world.wait_idle()
    assert infobip_calls(world, "upload-document") == 0 and infobip_calls(world, SUBMIT) == 0

    dm = world.slack.dm_channel(BOB)
    payload = click(world, "approval_approve", BOB, message, dm)
    assert "reached Infobip" in told(world, BOB, dm, "Approved")
    world.wait(lambda: world.request(request.id).provider_request_id, what="the launch submitted")
    approved = world.request(request.id)
    sent = world.sandbox_request(approved)
    assert sent["type"] == "RCS_SENDER_LAUNCH" and sent["api"]["senderName"] == SENDER
    assert sent["api"]["excludedCarriers"] == ["Tele2"] and sent["api"]["trafficOrigin"] == "LOCAL"
    world.wait(lambda: "Waiting for approval" not in world.root_text(approved), what="the root to move on")
    # The same click again (a replay) changes nothing: the launch reached Infobip once.
    replay(world, payload)
    world.wait_idle()
    assert infobip_calls(world, "upload-document") == 1 and infobip_calls(world, SUBMIT) == 1
    assert len(world.requests()) == 1
