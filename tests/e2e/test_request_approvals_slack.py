"""Approvals for requests filed through the forms, over real HTTP with the stand-ins: a number
request, a CM.com order or a sender request submitted while approvers are set waits for a decision
with its thread saying so, and reaches the provider only once approved, exactly once (a document
is uploaded only then); denied (with a reason), nothing reaches the provider, the root shows Denied
and the requester hears why in the thread and by DM. Nobody approves their own request."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx
import pytest

from bot.domain.approvals import APPROVAL_DENIED, WAITING_APPROVAL
from tests.e2e.test_approvals_slack import APPROVERS, CAROL, audit, click, dm_saying, replay, request_message, told
from tests.e2e.test_cm_requests import order
from tests.e2e.test_number_requests import LOCATION, US_10DLC
from tests.e2e.test_numbers_slack import AVAILABLE, buy, owned
from tests.e2e.test_sender_request_lifecycle import fill_hr_form
from tests.e2e.test_spend_slack import buy_directly, first_available, open_spend
from tests.support.names import ADMIN, ALICE, BOB, CHANNEL

SUBMIT = "submit-resource-request"


def infobip_calls(world, operation: str) -> int:
    return int(world.sandbox_admin.get("/calls").json()["calls"].get(operation, 0))


def ask_for_numbers(world, user: str = ALICE, reason: str | None = "For the <!channel> support line & more"):
    """`user` fills the US 10DLC form and asks for approval; returns the waiting request once its
    thread is there."""
    world.driver.slash_command("/resource", US_10DLC, user=user, channel=CHANNEL)
    form = world.view(user, callback_id="request_form", contains="npa")
    assert form["submit"]["text"] == "Ask for approval"
    assert "approval_reason" in [b.get("block_id") for b in form["blocks"]]
    values = {**LOCATION, **({"approval_reason": reason} if reason else {})}
    submitted = world.driver.submit_view(values, user=user)
    assert submitted.status == 200 and not submitted.errors, submitted.errors
    waiting = str(world.view(user, contains="waits for approval")["blocks"])
    assert "will decide" in waiting and "Nothing is sent to Infobip until then" in waiting
    [request] = world.requests()
    world.wait_thread(request.id, 1)
    request = world.request(request.id)
    assert request.status == WAITING_APPROVAL and request.provider_request_id is None
    assert "Waiting for approval" in world.root_text(request)
    return request


def thread_saying(world, request, words: str) -> str:
    return world.wait(
        lambda: next((str(m) for m in world.thread(world.request(request.id))[1:] if words in str(m)), None),
        what=f"a reply in the thread saying {words!r}",
    )


@pytest.mark.world(resourcebot_approvers=APPROVERS)
def test_an_approved_number_request_is_submitted_once_and_its_thread_goes_on(world):
    request = ask_for_numbers(world)
    assert infobip_calls(world, SUBMIT) == 0
    message = request_message(world, BOB)
    text = str(message["blocks"])
    assert f"<@{ALICE}> asks Infobip for" in text and "2 × 10DLC" in text and "United States" in text
    assert "*Quantity:* 2" in text and "Infobip prices number requests at procurement" in text
    assert "&lt;!channel&gt; support line &amp; more" in text and "<!channel>" not in text
    assert f"Request `{request.id}`" in text and f"<#{CHANNEL}>" in text and "Waiting for approval" in text
    thread = world.request(request.id)  # the approval message links to the request's thread
    assert thread.permalink and thread.thread_ts and f"<{thread.permalink}|Open the thread>" in text
    assert thread.thread_ts.replace(".", "") in thread.permalink

    dm = world.slack.dm_channel(BOB)
    click(world, "approval_approve", BOB, message, dm)
    assert "reached Infobip" in told(world, BOB, dm, "Approved")
    world.wait(lambda: world.request(request.id).provider_request_id, what="the request linked to Infobip's")
    assert infobip_calls(world, SUBMIT) == 1
    approved = world.request(request.id)
    sent = world.sandbox_request(approved)
    assert sent["details"]["numberType"] == "TEN_DIGIT_LONG_CODE" and sent["details"]["quantity"] == 2
    assert {r["key"]: r["value"] for r in sent["requirements"]} == LOCATION
    assert f"Approved by <@{BOB}>" in thread_saying(world, request, "Approved by")
    world.wait(lambda: "Waiting for approval" not in world.root_text(approved), what="the root to move on")
    dm_saying(world, ALICE, "reached Infobip")
    # The thread continues as for any request.
    world.reviewer(approved, "complete")
    world.wait(lambda: "Completed" in world.root_text(approved), what="the root to show Completed")
    world.wait_idle()
    assert infobip_calls(world, SUBMIT) == 1 and len(world.requests()) == 1
    assert [e.action for e in audit(world, "approval.")] == ["approval.requested", "approval.approved"]
    [submitted] = audit(world, "request.submit")
    assert submitted.actor == ALICE


@pytest.mark.world(resourcebot_approvers=APPROVERS)
def test_a_denied_number_request_reaches_no_provider_and_the_requester_hears_why(world):
    request = ask_for_numbers(world, reason=None)
    message = request_message(world, BOB)
    assert "No reason given" in str(message["blocks"])
    dm = world.slack.dm_channel(BOB)
    click(world, "approval_deny", BOB, message, dm)
    world.view(BOB, callback_id="approval_deny_reason")
    assert not world.driver.submit_view({"reason": "We have <@U0X> enough numbers"}, user=BOB).errors
    world.view(BOB, contains="Denied by")
    said = dm_saying(world, ALICE, "was denied")
    assert "number request" in said and f"<@{BOB}>" in said and "&lt;@U0X&gt; enough numbers" in said
    reply = thread_saying(world, request, "Denied by")
    assert f"<@{ALICE}>" in reply and "&lt;@U0X&gt; enough numbers" in reply and "Nothing was sent to Infobip" in reply
    world.wait(lambda: "Denied" in world.root_text(request), what="the root to show Denied")
    world.wait_idle()
    denied = world.request(request.id)
    assert denied.status == APPROVAL_DENIED and denied.provider_request_id is None
    assert "Waiting for approval" not in world.root_text(denied)
    assert "request_update" not in world.root_text(denied) and "request_cancel" not in world.root_text(denied)
    assert infobip_calls(world, SUBMIT) == 0 and infobip_calls(world, "upload-document") == 0
    assert world.sandbox_admin.get("/resource-requests").json() == {"requests": []}
    assert [e.action for e in audit(world, "approval.")] == ["approval.requested", "approval.denied"]
    assert audit(world, "request.") == []


@pytest.mark.world(resourcebot_approvers=APPROVERS, resourcebot_approval_channel=CHANNEL)
def test_nobody_approves_their_own_number_request(world):
    request = ask_for_numbers(world, user=ADMIN)
    message = world.wait(
        lambda: next((m for m in world.slack.messages(CHANNEL) if "approval_approve" in str(m.get("blocks"))), None),
        what="the approval request in the approval channel",
    )
    click(world, "approval_approve", ADMIN, message, CHANNEL)
    assert "You asked for this yourself" in told(world, ADMIN, CHANNEL, "yourself")
    click(world, "approval_deny", ADMIN, message, CHANNEL)
    world.wait(  # the refusal comes after the click's ack
        lambda: len([m for m in world.slack.ephemeral(CHANNEL, ADMIN) if "yourself" in m.get("text", "")]) == 2,
        what="the second refusal",
    )
    world.wait_idle()
    assert infobip_calls(world, SUBMIT) == 0 and world.request(request.id).status == WAITING_APPROVAL
    assert [e.action for e in audit(world, "approval.")] == ["approval.requested"]
    click(world, "approval_approve", BOB, message, CHANNEL)
    told(world, BOB, CHANNEL, "Approved")
    world.wait(lambda: world.request(request.id).provider_request_id, what="the request submitted")
    assert infobip_calls(world, SUBMIT) == 1


@pytest.mark.world(cm=True, resourcebot_approvers=APPROVERS)
def test_an_approved_cm_order_is_sent_to_cm_once_after_the_approval(world):
    answer = order(world, city="Amsterdam", approval_reason="The NOC's hotline")
    assert not answer.errors, answer.errors
    assert "Nothing is sent to CM.com until then" in str(world.view(ALICE, contains="waits for approval")["blocks"])
    world.wait(lambda: world.requests() and world.requests()[0].thread_ts, what="the request's thread")
    [request] = world.requests()
    assert request.status == WAITING_APPROVAL and "Waiting for approval" in world.root_text(request)
    message = request_message(world, BOB)
    text = str(message["blocks"])
    assert f"<@{ALICE}> asks CM.com for" in text and "*Quantity:* 2" in text and "The NOC's hotline" in text
    world.wait_idle()
    assert world.cm_admin.get("/requests").json() == {"requests": []}

    dm = world.slack.dm_channel(BOB)
    click(world, "approval_approve", BOB, message, dm)
    assert "reached CM.com" in told(world, BOB, dm, "Approved")
    world.wait(lambda: "Completed" in world.root_text(request), what="the root to show Completed")
    assert f"Approved by <@{BOB}>" in thread_saying(world, request, "Approved by")
    world.wait_idle()
    assert len(world.cm_admin.get("/requests").json()["requests"]) == 1
    assert len(world.requests()) == 1 and world.request(request.id).provider_request_id
    assert [e.action for e in audit(world, "approval.")] == ["approval.requested", "approval.approved"]
    assert len(audit(world, "cm.order")) == 1


@pytest.mark.world(resourcebot_approvers=APPROVERS, resourcebot_approval_for="sender-request")
def test_an_approved_sender_request_uploads_its_document_only_once_approved(world):
    world.driver.slash_command("/resource", "sender HR", user=ALICE, channel=CHANNEL)
    form = world.view(ALICE, callback_id="request_form", contains="companyRegistrationDocument")
    assert form["submit"]["text"] == "Ask for approval"
    submitted = world.driver.submit_view({**fill_hr_form(world, form), "approval_reason": "Our OTPs"}, user=ALICE)
    assert submitted.status == 200 and not submitted.errors, submitted.errors
    world.view(ALICE, contains="waits for approval")
    [request] = world.requests()
    world.wait_thread(request.id, 1)
    assert "Waiting for approval" in world.root_text(request)
    message = request_message(world, BOB)
    assert f"<@{ALICE}> asks Infobip to register" in str(message["blocks"]) and "sender ACME" in str(message)
    world.wait_idle()
    assert infobip_calls(world, "upload-document") == 0 and infobip_calls(world, SUBMIT) == 0

    dm = world.slack.dm_channel(BOB)
    click(world, "approval_approve", BOB, message, dm)
    assert "reached Infobip" in told(world, BOB, dm, "Approved")
    world.wait(lambda: world.request(request.id).provider_request_id, what="the request submitted")
    approved = world.request(request.id)
    assert approved.files and "acme-registration.pdf" in str(approved.files)
    sent = world.sandbox_request(approved)
    assert sent["api"]["senderName"] == "ACME" and sent["type"] == "ALPHANUMERIC_REGISTRATION"
    document = next(r["value"] for r in sent["requirements"] if r["key"] == "companyRegistrationDocument")
    assert document and "acme" not in str(document)  # a documentId, uploaded after the approval
    world.wait(lambda: "acme-registration.pdf" in world.root_text(approved), what="the root to show the document")
    world.wait_idle()
    assert infobip_calls(world, "upload-document") == 1 and infobip_calls(world, SUBMIT) == 1


@pytest.mark.world(resourcebot_approvers=APPROVERS, reminder_tick_seconds=0.1, resourcebot_approval_expires_hours=72)
def test_an_undecided_number_request_expires_as_a_denial_would(world):
    request = ask_for_numbers(world)
    message = request_message(world, BOB)
    world.services.clock.advance(timedelta(hours=73))
    assert "expired" in dm_saying(world, ALICE, "not approved in time")
    assert "Expired" in thread_saying(world, request, "Expired")
    world.wait(lambda: "Denied" in world.root_text(request), what="the root to show Denied")
    dm = world.slack.dm_channel(BOB)
    world.wait(lambda: "Expired" in str(world.slack.message(dm, message["ts"])["blocks"]), what="the request updated")
    world.wait_idle()
    assert world.request(request.id).status == APPROVAL_DENIED and infobip_calls(world, SUBMIT) == 0
    assert [e.action for e in audit(world, "approval.")] == ["approval.requested", "approval.expired"]


@pytest.mark.world(resourcebot_approvers=APPROVERS, resourcebot_approval_for="cancel-number")
def test_a_cancellation_waits_for_approval_and_is_made_once_approved(world):
    with httpx.Client(
        base_url=world.sandbox_url, timeout=10, headers={"Authorization": f"App {world.sandbox.config.api_key}"}
    ) as infobip:
        [number] = infobip.get(AVAILABLE, params={"country": "HR", "limit": 1}).json()["numbers"]
        buy(infobip, number["numberKey"])
    key = number["numberKey"]
    world.driver.slash_command("/resource", "my-numbers", user=ADMIN, channel=CHANNEL)
    world.view(ADMIN, callback_id="my_numbers", contains="1 number")
    world.driver.block_action("number_cancel", user=ADMIN, block_id=f"owned:{key}")
    confirm = world.view(ADMIN, callback_id="number_cancel_confirm")
    assert confirm["submit"]["text"] == "Ask for approval" and f"<@{BOB}>" in str(confirm["blocks"])
    assert not world.driver.submit_view({"reason": "Nobody uses it"}, user=ADMIN).errors
    waiting = str(world.view(ADMIN, contains="waits for approval")["blocks"])
    assert "cancellation of +385" in waiting and "Nothing is cancelled until then" in waiting
    message = request_message(world, BOB)
    text = str(message["blocks"])
    assert f"<@{ADMIN}> asks to cancel" in text and "Nobody uses it" in text and "Monthly charge that stops" in text
    approve_and_see_it_cancelled_once(world, message, key)
    world.wait_idle()
    [cancelled] = audit(world, "number.cancel")
    assert cancelled.actor == ADMIN and cancelled.details["numberKey"] == key
    assert [e.action for e in audit(world, "approval.")] == ["approval.requested", "approval.approved"]


@pytest.mark.world(resourcebot_approvers=APPROVERS, resourcebot_approval_for="cancel-number")
def test_the_unused_numbers_cancel_button_asks_for_approval_too(world):
    with httpx.Client(
        base_url=world.sandbox_url, timeout=10, headers={"Authorization": f"App {world.sandbox.config.api_key}"}
    ) as infobip:
        key = buy_directly(infobip, first_available(infobip, country="GB", capabilities="SMS"))
    open_spend(world)
    world.driver.block_action("spend_cancel_number", user=ADMIN, block_id=f"unused:{key}")
    waiting = str(world.view(ADMIN, callback_id="spend", contains="waits for approval")["blocks"])
    assert f"<@{BOB}> will decide" in waiting and "Nothing is cancelled until then" in waiting
    message = request_message(world, BOB)
    approve_and_see_it_cancelled_once(world, message, key)


def approve_and_see_it_cancelled_once(world, message: dict, key: str) -> None:
    """Nothing reaches Infobip while the cancellation waits; Bob's approval cancels it, once."""
    world.wait_idle()
    assert key in owned(world) and infobip_calls(world, "cancel-number") == 0
    dm = world.slack.dm_channel(BOB)
    click(world, "approval_approve", BOB, message, dm)
    assert "is cancelled" in told(world, BOB, dm, "Approved")
    assert key not in owned(world) and infobip_calls(world, "cancel-number") == 1


def approve_at_once(world, deciders: list[str]) -> list[str]:
    """Every one of `deciders` clicks Approve on their DM's request at the same moment, then one
    replays their click; returns what each was told."""
    messages = {user: request_message(world, user) for user in deciders}
    go, payloads = threading.Barrier(len(deciders)), {}

    def approve(user: str) -> None:
        go.wait()
        payloads[user] = click(world, "approval_approve", user, messages[user], world.slack.dm_channel(user))

    threads = [threading.Thread(target=approve, args=(user,)) for user in deciders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    replay(world, payloads[deciders[0]])
    return [told(world, user, world.slack.dm_channel(user), "pprove") for user in deciders]


@pytest.mark.world(resourcebot_approvers=f"{APPROVERS},{CAROL}", resourcebot_approval_for="sender-request")
def test_two_approvers_at_once_submit_a_sender_request_and_its_document_once(world):
    world.slack.add_user(CAROL, "carol")
    world.driver.slash_command("/resource", "sender HR", user=ALICE, channel=CHANNEL)
    form = world.view(ALICE, callback_id="request_form", contains="companyRegistrationDocument")
    assert not world.driver.submit_view(fill_hr_form(world, form), user=ALICE).errors
    world.view(ALICE, contains="waits for approval")
    [request] = world.requests()
    answers = approve_at_once(world, [BOB, CAROL])
    world.wait(lambda: world.request(request.id).provider_request_id, what="the request submitted")
    world.wait_idle()
    [approved] = audit(world, "approval.approved")
    assert "Already decided" in str(answers) and f"<@{approved.actor}>" in str(answers)
    assert infobip_calls(world, "upload-document") == 1 and infobip_calls(world, SUBMIT) == 1
    assert len(world.sandbox_admin.get("/resource-requests").json()["requests"]) == 1
    assert len(audit(world, "request.submit")) == 1 and len(world.requests()) == 1


@pytest.mark.world(cm=True, resourcebot_approvers=f"{APPROVERS},{CAROL}")
def test_two_approvers_at_once_send_a_cm_order_once(world):
    world.slack.add_user(CAROL, "carol")
    assert not order(world, city="Amsterdam").errors
    world.view(ALICE, contains="waits for approval")
    answers = approve_at_once(world, [BOB, CAROL])
    [request] = world.requests()
    world.wait(lambda: "Completed" in world.root_text(request), what="the root to show Completed")
    world.wait_idle()
    [approved] = audit(world, "approval.approved")
    assert "Already decided" in str(answers) and f"<@{approved.actor}>" in str(answers)
    assert len(world.cm_admin.get("/requests").json()["requests"]) == 1 and len(audit(world, "cm.order")) == 1
