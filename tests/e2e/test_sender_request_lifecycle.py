"""An HR alphanumeric sender request from `/resource sender HR` to COMPLETED, through a
reviewer's request for changes and the requester's update, all in one Slack thread."""

from __future__ import annotations

from tests.support.names import ALICE, CHANNEL
from tests.support.world import BOTH_TRANSPORTS

pytestmark = BOTH_TRANSPORTS  # the same request flow over HTTP and over Socket Mode

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def option_value(view: dict, block_id: str) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return block["element"]["options"][0]["value"]


def fill_hr_form(world, view: dict, **overrides) -> dict:
    document = world.slack.add_file("acme-registration.pdf", "application/pdf", PDF, user=ALICE)
    values = {
        "senderName": "ACME",
        "companyName": "Acme d.o.o.",
        "vatNumber": "HR12345678901",
        "useCase": "Notifications",
        "expectedMonthlyMessages": "50000",
        "companyEmailAddresses": "ops@acme.example\nlegal@acme.example",
        "companyWebsite": "https://acme.example",
        "contactPhoneNumber": "+385 91 123 4567",
        "companyRegistrationDocument": [document],
        "registrationConsent": [option_value(view, "registrationConsent")],
    }
    values.update(overrides)
    return values


def test_sender_request_from_form_to_completed_through_an_update(world):
    ack = world.driver.slash_command("/resource", "sender HR", user=ALICE, channel=CHANNEL)
    assert ack.status == 200 and ack.in_time

    form = world.view(callback_id="request_form", contains="companyRegistrationDocument")
    submitted = world.driver.submit_view(fill_hr_form(world, form), user=ALICE)
    assert submitted.status == 200 and not submitted.errors, submitted.errors
    world.view(contains="submitted")

    [request] = world.requests()
    assert request.status == "AUTOMATIC_VALIDATION" and request.requester == ALICE
    (root,) = world.wait_thread(request.id, 1)
    assert root["channel"] if "channel" in root else True
    request = world.requests()[0]
    assert request.channel == CHANNEL
    root_text = str(root["blocks"])
    assert "ACME" in root_text and "Acme d.o.o." in root_text and "acme-registration.pdf" in root_text

    # The reviewer asks for a different website.
    world.reviewer(request, "advance")
    world.reviewer(
        request,
        "request-changes",
        feedback=[
            {"key": "companyWebsite", "code": "RES_REQ_FEED_FORMAT", "feedback": "Use the company's own domain."}
        ],
    )
    thread = world.wait_thread(request.id, 2)
    reply = str(thread[1]["blocks"])
    assert f"<@{ALICE}>" in reply and "Company Website" in reply and "own domain" in reply
    assert "request_update" in reply
    world.wait(
        lambda: "Update requested" in str(world.slack.root(CHANNEL, request.thread_ts)["blocks"]),
        what="the root message to show Update requested",
    )

    # Alice updates from the button in the thread; the form comes back prefilled with feedback.
    world.driver.block_action("request_update", request.id, user=ALICE, channel=CHANNEL, message_ts=thread[1]["ts"])
    update_form = world.view(callback_id="request_form", contains="own domain")
    assert "senderName" not in str(update_form["blocks"])  # PATCH can't change it: not asked
    updated = world.driver.submit_view({"companyWebsite": "https://acme.hr"}, user=ALICE)
    assert not updated.errors, updated.errors
    world.view(contains="update was sent")
    thread = world.wait_thread(request.id, 3)
    assert "sent an update" in str(thread[2]["blocks"])
    stored = world.sandbox_admin.get(f"/resource-requests/{request.provider_request_id}").json()
    sent = {r["key"]: r["value"] for r in stored["requirements"]}
    assert sent["companyWebsite"] == "https://acme.hr"
    assert sent["companyName"] == "Acme d.o.o."  # every requirement resent, not only the changed one
    assert sent["companyRegistrationDocument"]  # the document kept without attaching it again

    # Review passes; the request completes.
    world.reviewer(request, "advance")
    world.reviewer(request, "advance")
    world.reviewer(request, "complete", note="Registered with all Croatian operators.")
    thread = world.wait_thread(request.id, 4)
    assert "Completed" in str(thread[3]["blocks"]) and "Croatian operators" in str(thread[3]["blocks"])
    world.wait(
        lambda: "Completed" in str(world.slack.root(CHANNEL, request.thread_ts)["blocks"]),
        what="the root message to show Completed",
    )
    root_now = str(world.slack.root(CHANNEL, request.thread_ts)["blocks"])
    assert "request_update" not in root_now and "request_cancel" not in root_now
