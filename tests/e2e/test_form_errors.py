"""What people see when a form can't go through: inline validation errors, Infobip's refusals in
the modal, a busy provider, and documents the bot won't send. In every case nothing reaches
Infobip and nothing is stored."""

from __future__ import annotations

import socket

from pydantic import SecretStr

from bot.slack.files import parse_origins
from tests.e2e.test_sender_request_lifecycle import PDF, fill_hr_form
from tests.support.names import ALICE, CHANNEL


def nothing_submitted(world) -> None:
    assert world.sandbox_admin.get("/resource-requests").json()["requests"] == []
    assert world.requests() == []
    assert world.table_counts() == {"events": 0, "outbox": 0, "requests": 0}


def open_hr_form(world) -> dict:
    world.driver.slash_command("/resource", "sender HR", user=ALICE, channel=CHANNEL)
    return world.view(callback_id="request_form", contains="companyRegistrationDocument")


def block(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def test_bad_values_come_back_as_inline_errors_by_block_id(world):
    form = open_hr_form(world)
    # Slack's client would stop some of these (min_length, min_value, URL); check=False sends them anyway.
    values = fill_hr_form(
        world,
        form,
        senderName="AB",
        vatNumber="12345",
        contactPhoneNumber="091 123",
        companyWebsite="www.acme.example",
        expectedMonthlyMessages="5",
    )
    answer = world.driver.submit_view(values, user=ALICE, check=False)
    assert answer.status == 200 and answer.json["response_action"] == "errors"
    errors = answer.errors
    assert set(errors) == {
        "senderName",
        "vatNumber",
        "contactPhoneNumber",
        "companyWebsite",
        "expectedMonthlyMessages",
    }, errors
    assert "3 to 11 characters" in errors["senderName"]
    assert "^[A-Z]{2}[0-9]{8,12}$" in errors["vatNumber"]
    assert "international format" in errors["contactPhoneNumber"]
    assert "https://" in errors["companyWebsite"]
    assert "1,000 to 10,000,000" in errors["expectedMonthlyMessages"]

    answer = world.driver.submit_view(fill_hr_form(world, form, senderName="AC€ME"), user=ALICE, check=False)
    assert set(answer.errors) == {"senderName"} and "GSM-7" in answer.errors["senderName"]
    assert "€" in answer.errors["senderName"]

    assert world.slack.current_view(ALICE)["callback_id"] == "request_form"  # the modal stays open
    assert world.slack.calls("files.download") == []
    nothing_submitted(world)


def test_alpha_unavailable_country_shows_infobips_description_and_action(world):
    world.driver.slash_command("/resource", "sender GB", user=ALICE, channel=CHANNEL)
    view = world.view(contains="Alphanumeric sender resource not available for given country.")
    text = str(view["blocks"])
    assert "Please try again with a different country code." in text and "RR-ALPHA-UNAVAILABLE404" in text
    assert view["callback_id"] != "request_form" and not view.get("submit")


def test_us_virtual_long_number_is_explained(world):
    world.driver.slash_command("/resource", "number US VIRTUAL_LONG_NUMBER", user=ALICE, channel=CHANNEL)
    view = world.view(contains="Virtual Long Number is not supported for the US.")
    assert "TEN_DIGIT_LONG_CODE or TOLL_FREE_NUMBER" in str(view["blocks"])


def test_rate_limited_lookup_says_infobip_is_busy(world):
    world.sandbox_fault(operation_id="resources-requirements-lookup", status=429, retry_after=1, times=5)
    ack = world.driver.slash_command("/resource", "sender HR", user=ALICE, channel=CHANNEL)
    assert ack.status == 200 and ack.in_time
    view = world.view(contains="busy")
    assert "try again" in str(view["blocks"]) and view["callback_id"] != "request_form"
    # Once Infobip is free again the same command opens the form.
    world.sandbox_admin.delete("/faults")
    world.slack.close_views(ALICE, clear=True)
    world.driver.slash_command("/resource", "sender HR", user=ALICE, channel=CHANNEL)
    world.view(callback_id="request_form", contains="companyName")


def test_submit_refused_by_infobip_shows_the_form_again_with_the_values_kept(world):
    world.driver.slash_command("/resource", "number US TEN_DIGIT_LONG_CODE SMS 2", user=ALICE, channel=CHANNEL)
    world.view(callback_id="request_form", contains="nxx")
    answer = world.driver.submit_view({"nxx": "909", "additionalContactEmails": "ops@acme.example"}, user=ALICE)
    assert not answer.errors
    form = world.view(callback_id="request_form", contains="NXX-REQUIRES-NPA-STATE")
    text = str(form["blocks"])
    assert "requires a valid npa and state" in text and "Nothing was submitted" in text
    assert block(form, "nxx")["element"]["initial_value"] == "909"
    assert block(form, "quantity")["element"]["initial_value"] == "2"
    assert "ops@acme.example" in block(form, "additionalContactEmails")["element"]["initial_value"]
    nothing_submitted(world)

    # Fixed in the same modal, it goes through.
    answer = world.driver.submit_view({"state": "IN", "npa": "317", "nxx": ""}, user=ALICE)
    assert not answer.errors, answer.errors
    world.view(contains="submitted")
    [request] = world.requests()
    assert world.sandbox_request(request)["details"]["quantity"] == 2


def test_a_20_mb_document_is_refused_under_its_field_before_anything_is_sent(world):
    form = open_hr_form(world)
    big = world.slack.add_file("registration-scan.pdf", "application/pdf", PDF, user=ALICE)
    big["size"] = 20 * 1024 * 1024  # file_input stops this in the client; a crafted payload does not
    answer = world.driver.submit_view(fill_hr_form(world, form, companyRegistrationDocument=[big]), user=ALICE)
    message = answer.errors["companyRegistrationDocument"]
    assert "registration-scan.pdf" in message and "20.0 MB" in message and "10 MB" in message
    assert world.slack.calls("files.download") == []
    nothing_submitted(world)


def test_an_html_sign_in_page_instead_of_the_file_is_refused(world, monkeypatch):
    # A rotated token or a missing files:read scope: Slack answers 200 with its sign-in page.
    monkeypatch.setattr(world.services.settings, "slack_bot_token", SecretStr("xoxb-revoked-token"))
    form = open_hr_form(world)
    answer = world.driver.submit_view(fill_hr_form(world, form), user=ALICE)
    assert not answer.errors
    view = world.view(callback_id="request_form", contains="sign-in page")
    assert "Nothing was submitted" in str(view["blocks"][0])
    under = under_field(view, "companyRegistrationDocument")
    assert "acme-registration.pdf" in under and "files:read" in under
    [download] = world.slack.calls("files.download")
    assert download.status == 200
    nothing_submitted(world)


def under_field(view: dict, block_id: str) -> str:
    """What the form shows right under a field (a context block after its input)."""
    blocks = view["blocks"]
    index = next(i for i, b in enumerate(blocks) if b.get("block_id") == block_id)
    following = blocks[index + 1] if index + 1 < len(blocks) else {}
    return str(following) if following.get("type") == "context" else ""


def test_a_file_slack_cannot_hand_over_shows_the_form_again_with_the_reason_under_its_field(world, monkeypatch):
    with socket.socket() as closed:  # an allowed origin where nothing listens: the connection is refused
        closed.bind(("127.0.0.1", 0))
        origin = f"http://127.0.0.1:{closed.getsockname()[1]}"
    monkeypatch.setattr(world.services.settings, "resourcebot_slack_file_origins", parse_origins(origin))
    form = open_hr_form(world)
    document = world.slack.add_file("acme-registration.pdf", "application/pdf", PDF, user=ALICE)
    document["url_private_download"] = document["url_private"] = origin + "/files/acme-registration.pdf"
    answer = world.driver.submit_view(fill_hr_form(world, form, companyRegistrationDocument=[document]), user=ALICE)
    assert not answer.errors
    view = world.view(callback_id="request_form", contains="could not be fetched")
    assert "Nothing was submitted" in str(view["blocks"][0])
    assert "acme-registration.pdf" in under_field(view, "companyRegistrationDocument")
    assert view.get("submit"), "the form can be sent again"
    nothing_submitted(world)


def uploaded_documents(world) -> list:
    return [d for d in world.sandbox.requests.documents._documents.values() if not d.template]


def test_documents_of_a_refused_submission_are_deleted_from_infobip(world):
    form = open_hr_form(world)
    world.sandbox_fault(operation_id="submit-resource-request", status=400)
    answer = world.driver.submit_view(fill_hr_form(world, form), user=ALICE)
    assert not answer.errors
    world.view(callback_id="request_form", contains="Nothing was submitted")
    assert world.slack.calls("files.download"), "the document was fetched and uploaded before the refusal"
    world.wait(lambda: uploaded_documents(world) == [], what="the unused document to be deleted")
    nothing_submitted(world)


def test_a_submission_whose_outcome_is_unknown_is_not_offered_again(world):
    form = open_hr_form(world)
    # Infobip takes the request but the answer is lost: a gateway's 502 after processing.
    world.sandbox_fault(operation_id="submit-resource-request", status=502, after_processing=True)
    answer = world.driver.submit_view(fill_hr_form(world, form), user=ALICE)
    assert not answer.errors
    view = world.view(contains="did not confirm")
    assert view.get("callback_id") != "request_form" and not view.get("submit")  # no form to send twice
    assert "don't send it again" in str(view["blocks"])
    submitted = world.sandbox_admin.get("/resource-requests").json()["requests"]
    assert len(submitted) == 1  # sent once, never retried blindly
    assert uploaded_documents(world), "its documents are kept: the request may be using them"
