"""Submit, validation feedback, update, cancel, listing, the reviewer's controls, webhooks and
reminders, over real HTTP, every Infobip exchange and every webhook checked against the contract."""

from __future__ import annotations

import asyncio
import base64
import uuid

from tests.support.contract import REMINDER_WEBHOOK, STATUS_WEBHOOK, webhook_problems
from tests.support.infobip_bodies import INFOBIP_DATE, UUID, hr_alpha, numbers

REQUESTS = "/resources/1/requests"
HOOK_USER, HOOK_PASSWORD = "infobip-hooks", "s3cret pass"


async def _session_with_webhooks(open_session, webhook_receiver, **overrides):
    return await open_session(
        webhook_url=webhook_receiver.url, webhook_username=HOOK_USER, webhook_password=HOOK_PASSWORD, **overrides
    )


def _calls(receiver) -> list[dict]:
    """The webhook bodies received, each checked against the contract's webhooks."""
    bodies = []
    for call in receiver.received:
        body = call["json"]
        name = STATUS_WEBHOOK if body["results"][0]["event"] == "RESOURCE_REQUEST_STATUS_UPDATE" else REMINDER_WEBHOOK
        assert webhook_problems(name, body) == [], body
        bodies.append(body)
    return bodies


def _error(response) -> tuple[int, str]:
    return response.status_code, response.json()["errorCode"]


async def test_valid_request_goes_to_completed_with_one_webhook(open_session, contract, webhook_receiver):
    session = await _session_with_webhooks(open_session, webhook_receiver)
    request_id = await session.submit(hr_alpha(await session.document()))
    assert UUID.match(request_id)

    seen = await session.get(request_id)
    assert seen["status"] == "AUTOMATIC_VALIDATION" and INFOBIP_DATE.match(seen["requestedDate"])
    assert seen["additionalContactEmailAddresses"] == ["alphanumeric@infobip.com"]
    assert "additionalContactEmails" not in seen
    assert seen["requestedByEmailAddress"] and seen["requirementsFeedback"] == []
    assert seen["platform"] == {"applicationId": "application-id", "entityId": "entity-id"}
    for expected in ("PENDING_REVIEW", "IN_REVIEW", "IN_PROGRESS", "COMPLETED"):
        await session.advance(request_id)
        assert (await session.get(request_id))["status"] == expected
    await session.drain()

    assert len(webhook_receiver.received) == 1
    call = webhook_receiver.received[0]
    assert call["path"] == "/webhooks/infobip"
    expected_auth = "Basic " + base64.b64encode(f"{HOOK_USER}:{HOOK_PASSWORD}".encode()).decode()
    assert call["headers"]["authorization"] == expected_auth
    assert call["headers"]["content-type"] == "application/json"
    body = _calls(webhook_receiver)[0]
    received_at = body["results"][0].pop("receivedAt")
    assert INFOBIP_DATE.match(received_at)
    assert body == {
        "results": [
            {
                "event": "RESOURCE_REQUEST_STATUS_UPDATE",
                "content": {
                    "id": request_id,
                    "status": "COMPLETED",
                    "type": "ALPHANUMERIC_REGISTRATION",
                    "requirementsFeedback": [],
                },
                "platform": {"applicationId": "application-id", "entityId": "entity-id"},
            }
        ]
    }
    # A completed request leaves nothing more to step through.
    assert (await session.admin.post(f"/resource-requests/{request_id}/advance")).status_code == 409
    contract.assert_clean()


async def test_bad_values_come_back_as_feedback_and_an_update_revalidates(open_session, contract, webhook_receiver):
    session = await _session_with_webhooks(open_session, webhook_receiver)
    document = await session.document()
    bad = hr_alpha(
        document,
        companyName="AB",
        vatNumber="12345",
        useCase="Spam",
        expectedMonthlyMessages=5,
        companyEmailAddresses=["contact@infobip.com", "not-an-email"],
        companyWebsite="www infobip",
        contactPhoneNumber="12",
        registrationConsent="yes",
        companyRegistrationDocument=None,
    )
    request_id = await session.submit(bad)
    await session.advance(request_id)

    seen = await session.get(request_id)
    assert seen["status"] == "UPDATE_REQUESTED"
    codes = {item["key"]: item["code"] for item in seen["requirementsFeedback"]}
    assert codes == {
        "companyName": "RES_REQ_FEED_LENGTH_OOR",
        "vatNumber": "RES_REQ_FEED_FORMAT",
        "useCase": "RES_REQ_FEED_VALUE_OOR",
        "expectedMonthlyMessages": "RES_REQ_FEED_VALUE_OOR",
        "companyEmailAddresses": "RES_REQ_FEED_FORMAT",
        "companyWebsite": "RES_REQ_FEED_FORMAT",
        "contactPhoneNumber": "RES_REQ_FEED_FORMAT",
        "companyRegistrationDocument": "RES_REQ_FEED_REQUIRED",
        "registrationConsent": "RES_REQ_FEED_VALUE_OOR",
    }
    texts = {item["key"]: item["feedback"] for item in seen["requirementsFeedback"]}
    assert texts["companyRegistrationDocument"] == "This field is required and cannot be empty."
    assert texts["companyName"] == "Text length must be between 3 and 100."
    assert texts["expectedMonthlyMessages"] == "Value must be between 1000 and 10000000."

    updated = await session.api.patch(
        f"{REQUESTS}/{request_id}", json={"requirements": hr_alpha(document)["requirements"]}
    )
    assert updated.status_code == 200
    assert updated.json()["status"] == "AUTOMATIC_VALIDATION" and updated.json()["requirementsFeedback"] == []
    assert updated.json()["requirements"] == hr_alpha(document)["requirements"]
    await session.advance(request_id)
    assert (await session.get(request_id))["status"] == "PENDING_REVIEW"

    await session.drain()
    [body] = _calls(webhook_receiver)
    content = body["results"][0]["content"]
    assert content["status"] == "UPDATE_REQUESTED" and content["requirementsFeedback"] == seen["requirementsFeedback"]
    contract.assert_clean()


async def test_an_update_must_resend_every_requirement(open_session, contract):
    session = await open_session()
    document = await session.document()
    request_id = await session.submit(hr_alpha(document, vatNumber="bad"))
    await session.advance(request_id)
    only_the_fix = [{"key": "vatNumber", "value": "HR12345678901"}]
    assert (await session.api.patch(f"{REQUESTS}/{request_id}", json={"requirements": only_the_fix})).status_code == 200
    await session.advance(request_id)
    seen = await session.get(request_id)
    assert seen["status"] == "UPDATE_REQUESTED"
    assert {item["code"] for item in seen["requirementsFeedback"]} == {"RES_REQ_FEED_REQUIRED"}
    assert "vatNumber" not in {item["key"] for item in seen["requirementsFeedback"]}
    contract.assert_clean()


async def test_malformed_submissions_are_refused_with_violations(open_session, contract):
    session = await open_session()
    document = await session.document()
    valid = hr_alpha(document)
    listed = hr_alpha(document, contactPhoneNumber=["+385911234567"])
    cases = [
        ({k: v for k, v in valid.items() if k != "type"}, "type", "must not be null"),
        ({k: v for k, v in valid.items() if k != "countryCode"}, "countryCode", "must not be blank"),
        ({**valid, "senderName": "AB"}, "senderName", "size must be between 3 and 11"),
        ({**valid, "senderName": "TwelveLetter"}, "senderName", "size must be between 3 and 11"),
        (
            {**valid, "additionalContactEmails": ["a@x.com", "b@x.com", "c@x.com", "d@x.com"]},
            "additionalContactEmails",
            "size must be between 0 and 3",
        ),
        ({**valid, "trafficType": "MARKETING"}, "trafficType", "must be one of [PROMOTIONAL, TRANSACTIONAL]"),
        (
            {**valid, "requirements": valid["requirements"] + [{"key": "favouriteColour", "value": "blue"}]},
            "requirements[9].key",
            "Unknown requirement key 'favouriteColour'.",
        ),
        (
            hr_alpha("0" * 128),
            "requirements[7].value",
            f"Document '{'0' * 128}' not found: upload it with POST /resources/1/documents.",
        ),
        (listed, "requirements[6].value", "Requirement 'contactPhoneNumber' does not support multiple values."),
        (numbers("GB", quantity=50), "quantity", "must be less than or equal to 49"),
        ({**numbers("GB"), "capabilities": ["SMS", "TELEX"]}, "capabilities[1]", "must be one of [SMS, VOICE, MMS]"),
    ]
    for body, prop, violation in cases:
        response = await session.api.post(REQUESTS, json=body)
        assert _error(response) == (400, "E400"), prop
        assert {"property": prop, "violation": violation} in response.json()["violations"], response.text

    refusals = [
        (numbers("US"), (400, "RR-NUMBER-PURCHASE-US-VLN-UNSUPPORTED400")),
        (
            numbers("US", "TEN_DIGIT_LONG_CODE", requirements={"nxx": "909"}),
            (400, "RR-NUMBER-PURCHASE-NXX-REQUIRES-NPA-STATE400"),
        ),
        (
            numbers("US", "TEN_DIGIT_LONG_CODE", requirements={"state": "NY", "npa": "317"}),
            (400, "RR-NUMBER-PURCHASE-INVALID-STATE-NPA-COMBO400"),
        ),
        ({**hr_alpha(document), "countryCode": "GB"}, (404, "RR-ALPHA-UNAVAILABLE404")),
    ]
    for body, expected in refusals:
        assert _error(await session.api.post(REQUESTS, json=body)) == expected
    assert (
        await session.api.post(
            REQUESTS,
            json=numbers("US", "TEN_DIGIT_LONG_CODE", requirements={"state": "IN", "npa": "317", "nxx": "909"}),
        )
    ).status_code == 201
    assert (await session.api.get(REQUESTS)).json()["paging"]["totalResults"] == 1
    contract.failures = [f for f in contract.failures if not f.startswith("request ")]  # broken on purpose
    contract.assert_clean()


async def test_sender_rules_one_name_per_country_and_two_pending(open_session, contract):
    session = await open_session()
    document = await session.document()
    first = await session.submit(hr_alpha(document, sender="First"))
    await session.complete(first)
    assert _error(await session.api.post(REQUESTS, json=hr_alpha(document, sender="FIRST"))) == (
        400,
        "RR-ALPHA-SENDER-ALREADY-EXISTS400",
    )
    await session.submit(hr_alpha(document, sender="Second"))
    await session.submit(hr_alpha(document, sender="Third"))
    assert _error(await session.api.post(REQUESTS, json=hr_alpha(document, sender="Fourth"))) == (
        400,
        "RR-ALPHA-SS-LIMIT400",
    )
    contract.assert_clean()


async def test_update_and_cancel_only_while_an_update_is_requested(open_session, contract, webhook_receiver):
    session = await _session_with_webhooks(open_session, webhook_receiver)
    document = await session.document()
    request_id = await session.submit(hr_alpha(document))
    everything = {"requirements": hr_alpha(document)["requirements"]}

    assert _error(await session.api.patch(f"{REQUESTS}/{request_id}", json=everything)) == (400, "RR-INVALID-STATUS400")
    assert _error(await session.api.post(f"{REQUESTS}/{request_id}/cancel")) == (400, "RR-INVALID-STATUS400")
    unknown = str(uuid.uuid4())
    for response in (
        await session.api.get(f"{REQUESTS}/{unknown}"),
        await session.api.patch(f"{REQUESTS}/{unknown}", json=everything),
        await session.api.post(f"{REQUESTS}/{unknown}/cancel"),
    ):
        assert _error(response) == (404, "RR404")
        assert response.json()["description"] == "Resource request not found."

    await session.advance(request_id, times=2)  # to IN_REVIEW, where a person reads it
    feedback = [
        {
            "key": "companyWebsite",
            "code": "RES_REQ_FEED_USER_ACTION_REQUIRED",
            "feedback": "The website does not mention the sender name.",
        }
    ]
    changed = await session.admin.post(
        f"/resource-requests/{request_id}/request-changes", json={"feedback": feedback, "internal": True}
    )
    assert changed.status_code == 200
    seen = await session.get(request_id)
    assert seen["status"] == "UPDATE_REQUESTED_BY_INTERNAL_REVIEWER" and seen["requirementsFeedback"] == feedback

    assert (await session.api.post(f"{REQUESTS}/{request_id}/cancel")).status_code == 204
    assert (await session.get(request_id))["status"] == "CANCELED"
    assert _error(await session.api.post(f"{REQUESTS}/{request_id}/cancel")) == (400, "RR-INVALID-STATUS400")
    assert _error(await session.api.patch(f"{REQUESTS}/{request_id}", json=everything)) == (400, "RR-INVALID-STATUS400")

    # The reviewer's controls refuse what makes no sense, and say why.
    admin = session.admin
    assert (await admin.post(f"/resource-requests/{request_id}/reject", json={"note": "Late."})).status_code == 409
    assert (await admin.post(f"/resource-requests/{request_id}/advance")).status_code == 409
    bad_code = {"feedback": [{"key": "companyName", "code": "RES_REQ_FEED_MAYBE", "feedback": "?"}]}
    refused = await admin.post(f"/resource-requests/{request_id}/request-changes", json=bad_code)
    assert refused.status_code == 400 and "RES_REQ_FEED_OTHER" in refused.json()["error"]
    assert (await admin.post(f"/resource-requests/{unknown}/complete", json={})).status_code == 404
    assert (await admin.post(f"/resource-requests/{request_id}/complete", json={"procured": -1})).status_code == 400
    assert (await admin.post("/clock/advance", json={"days": -1})).status_code == 400
    state = (await admin.get(f"/resource-requests/{request_id}")).json()
    assert [h["status"] for h in state["history"]] == [
        "AUTOMATIC_VALIDATION",
        "PENDING_REVIEW",
        "IN_REVIEW",
        "UPDATE_REQUESTED_BY_INTERNAL_REVIEWER",
        "CANCELED",
    ]

    await session.drain()
    statuses = [body["results"][0]["content"]["status"] for body in _calls(webhook_receiver)]
    assert statuses == ["UPDATE_REQUESTED_BY_INTERNAL_REVIEWER"]  # CANCELED is not notified
    contract.assert_clean()


async def test_statuses_between_submit_and_completion_are_not_notified(open_session, contract, webhook_receiver):
    session = await _session_with_webhooks(open_session, webhook_receiver)
    request_id = await session.submit(numbers("GB"))
    rcs = await session.submit(
        {
            "type": "RCS_SENDER_LAUNCH",
            "senderName": "Shop",
            "countryCode": "HR",
            "trafficOrigin": "LOCAL",
            "requirements": [
                {"key": "legalBrandCompanyName", "value": "Shop d.o.o."},
                {"key": "contactPersonEmailAddresses", "value": ["ana@shop.hr"]},
                {"key": "contactPersonPhoneNumber", "value": "+385911234567"},
                {"key": "attestationLetter", "value": await session.document()},
                {"key": "stopMessage", "value": "STOP"},
            ],
        }
    )
    seen = await session.get(rcs)
    assert seen["status"] == "PENDING" and seen["additionalContactEmails"] == []
    await session.advance(request_id, times=3)
    await session.advance(rcs, times=4)  # PENDING, AUTOMATIC_VALIDATION, PENDING_REVIEW, IN_REVIEW
    assert (await session.get(request_id))["status"] == "IN_PROGRESS"
    assert (await session.get(rcs))["status"] == "IN_PROGRESS"
    await session.drain()
    assert webhook_receiver.received == []
    outbox = (await session.admin.get("/webhooks")).json()
    assert outbox["pending"] == [] and outbox["delivered"] == []
    contract.assert_clean()


async def test_partial_procurement_completes_with_a_note(open_session, contract, webhook_receiver):
    session = await _session_with_webhooks(open_session, webhook_receiver)
    request_id = await session.submit(numbers("GB", quantity=3))
    await session.complete(request_id, procured=2)
    seen = await session.get(request_id)
    assert seen["status"] == "COMPLETED" and seen["quantity"] == 3
    assert seen["note"] == "Only 2 out of 3 requested numbers could be procured."
    assert [n["status"] for n in seen["numbers"]] == ["SUCCESS", "SUCCESS"]
    assert all(n["number"].startswith("44") and len(n["numberKey"]) == 32 for n in seen["numbers"])

    await session.drain()
    [body] = _calls(webhook_receiver)
    content = body["results"][0]["content"]
    assert content["numbers"] == seen["numbers"] and content["note"] == seen["note"]
    assert body["results"][0]["platform"] == {"applicationId": "default"}
    contract.assert_clean()


async def test_a_failing_receiver_gets_the_webhook_again_in_order(open_session, contract, webhook_receiver):
    session = await _session_with_webhooks(open_session, webhook_receiver)
    webhook_receiver.fail_next = 2
    request_id = await session.submit(numbers("GB"))
    await session.admin.post(
        f"/resource-requests/{request_id}/request-changes",
        json={"feedback": [{"key": "companyName", "code": "RES_REQ_FEED_OTHER", "feedback": "Which company?"}]},
    )
    await session.admin.post(f"/resource-requests/{request_id}/reject", json={"note": "No answer."})
    outbox = await session.drain()
    [first, second] = outbox["delivered"]
    assert (first["status"], first["attempts"]) == ("UPDATE_REQUESTED", 3)
    assert (second["status"], second["attempts"]) == ("REJECTED", 1)
    statuses = [body["results"][0]["content"]["status"] for body in _calls(webhook_receiver)]
    assert statuses == ["UPDATE_REQUESTED", "REJECTED"]
    assert _calls(webhook_receiver)[1]["results"][0]["content"]["note"] == "No answer."
    contract.assert_clean()


async def test_idle_requests_get_reminders_then_are_rejected(open_session, contract, webhook_receiver):
    session = await _session_with_webhooks(open_session, webhook_receiver)
    request_id = await session.submit(hr_alpha(await session.document(), vatNumber="nope"))
    await session.advance(request_id)

    def reminders():
        return [
            (b["results"][0]["content"]["daysUntilRejection"], b["results"][0]["content"]["status"])
            for b in _calls(webhook_receiver)
            if b["results"][0]["event"] == "RESOURCE_REQUEST_REMINDER"
        ]

    for days, expected in (
        (2.9, []),
        (0.1, [(27, "UPDATE_REQUESTED")]),
        (12, [(27, "UPDATE_REQUESTED"), (15, "UPDATE_REQUESTED")]),
    ):
        await session.advance_clock(days)
        await session.drain()
        assert reminders() == expected
    await session.advance_clock(12)
    await session.advance_clock(2.9)
    await session.drain()
    assert [d for d, _ in reminders()] == [27, 15, 3]
    assert (await session.get(request_id))["status"] == "UPDATE_REQUESTED"
    await session.advance_clock(0.1)
    await session.drain()
    seen = await session.get(request_id)
    assert seen["status"] == "REJECTED" and "30 days" in seen["note"]
    events = [(b["results"][0]["event"], b["results"][0]["content"]["status"]) for b in _calls(webhook_receiver)]
    assert events == [("RESOURCE_REQUEST_STATUS_UPDATE", "UPDATE_REQUESTED")] + [
        ("RESOURCE_REQUEST_REMINDER", "UPDATE_REQUESTED")
    ] * 3 + [("RESOURCE_REQUEST_STATUS_UPDATE", "REJECTED")]
    reminder = _calls(webhook_receiver)[1]
    assert reminder == {
        "results": [
            {
                "event": "RESOURCE_REQUEST_REMINDER",
                "content": {
                    "id": request_id,
                    "status": "UPDATE_REQUESTED",
                    "type": "ALPHANUMERIC_REGISTRATION",
                    "daysUntilRejection": 27,
                },
            }
        ]
    }
    contract.assert_clean()


async def test_list_filters_sorts_and_pages(open_session, contract):
    session = await open_session()
    document = await session.document()
    alpha = await session.submit(hr_alpha(document))
    gb = await session.submit(numbers("GB"))
    us = await session.submit(numbers("US", "TOLL_FREE_NUMBER"))
    de = await session.submit(numbers("DE", requirements={"companyName": "X"}))
    await session.complete(alpha)
    await session.advance(de)  # missing documents: UPDATE_REQUESTED

    async def ids(**params) -> list[str]:
        response = await session.api.get(REQUESTS, params=params)
        assert response.status_code == 200
        return [r["id"] for r in response.json()["results"]]

    # Default order: last modified first.
    assert await ids() == [de, alpha, us, gb]
    assert await ids(status=["COMPLETED", "UPDATE_REQUESTED"]) == [de, alpha]
    assert await ids(type="NUMBER_PURCHASE", countryCode=["GB", "US"]) == [us, gb]
    assert await ids(type=["ALPHANUMERIC_REGISTRATION", "RCS_SENDER_LAUNCH"], status="COMPLETED") == [alpha]
    assert await ids(countryCode="SE") == []
    assert await ids(sort="requestedDate,asc") == [alpha, gb, us, de]
    assert await ids(sort="requestedDate,desc") == [de, us, gb, alpha]
    assert await ids(sort="status,asc") == [us, gb, alpha, de]  # AUTOMATIC_VALIDATION < COMPLETED < UPDATE_…

    page = (await session.api.get(REQUESTS, params={"page": 1, "size": 3, "sort": "requestedDate,asc"})).json()
    assert [r["id"] for r in page["results"]] == [de]
    assert page["paging"] == {"page": 1, "size": 3, "totalPages": 2, "totalResults": 4}
    capped = (await session.api.get(REQUESTS, params={"size": 5000})).json()["paging"]
    assert capped["size"] == 2000 and capped["totalPages"] == 1
    contract.assert_clean()


async def test_the_lifecycle_moves_on_its_own_when_given_a_step(open_session, contract, webhook_receiver):
    auto = await _session_with_webhooks(open_session, webhook_receiver, lifecycle_step=0.05)
    request_id = await auto.submit(numbers("GB", quantity=2))
    for _ in range(200):
        if (await auto.get(request_id))["status"] == "COMPLETED":
            break
        await asyncio.sleep(0.02)
    seen = await auto.get(request_id)
    assert seen["status"] == "COMPLETED" and len(seen["numbers"]) == 2 and "note" not in seen

    manual = await open_session(lifecycle_step=0.05, review="manual")
    waiting = await manual.submit(numbers("GB"))
    for _ in range(100):
        if (await manual.get(waiting))["status"] == "IN_REVIEW":
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)
    assert (await manual.get(waiting))["status"] == "IN_REVIEW"  # a person has to decide
    await manual.advance(waiting)
    assert (await manual.get(waiting))["status"] in ("IN_PROGRESS", "COMPLETED")
    await auto.drain()
    assert [b["results"][0]["content"]["status"] for b in _calls(webhook_receiver)] == ["COMPLETED"]
    contract.assert_clean()


def _rcs_se(document: str, **overrides) -> dict:
    body = {
        "type": "RCS_SENDER_LAUNCH",
        "senderName": "Shop Sverige",
        "countryCode": "SE",
        "trafficOrigin": "LOCAL",
        "excludedCarriers": ["Tele2"],
        "requirements": [
            {"key": "legalBrandCompanyName", "value": "Shop AB"},
            {"key": "contactPersonEmailAddresses", "value": ["anna.berg@shop.se"]},
            {"key": "contactPersonPhoneNumber", "value": "+46701234567"},
            {"key": "companyPhoneNumber", "value": "+4681234567"},
            {"key": "attestationLetter", "value": document},
            {"key": "stopMessage", "value": "STOP"},
        ],
    }
    return {**body, **overrides}


def _with(body: dict, key: str, value) -> dict:
    return {
        **body,
        "requirements": [r if r["key"] != key else {"key": key, "value": value} for r in body["requirements"]],
    }


async def test_rcs_launches_are_refused_as_infobip_refuses_them(open_session, contract):
    session = await open_session()
    document = await session.document()
    submit = "/resources/1/requests"
    refusals = {
        "a carrier of another country": (
            _rcs_se(document, excludedCarriers=["Tele2", "Vodafone UK"]),
            "RR-RCS-SENDER-INVALID-CARRIERS400",
        ),
        "a shared mailbox as the brand contact": (
            _with(_rcs_se(document), "contactPersonEmailAddresses", ["anna.berg@shop.se", "info@shop.se"]),
            "RR-RCS-SENDER-INVALID-BRAND-CONTACT-EMAIL400",
        ),
        "the contact's mobile as the company's number": (
            _with(_rcs_se(document), "companyPhoneNumber", "+46 70 123 45 67"),
            "RR-RCS-SENDER-PHONE-NUMBER-CONFLICT400",
        ),
    }
    for label, (body, code) in refusals.items():
        assert _error(await session.api.post(submit, json=body)) == (400, code), label
    first = await session.submit(_rcs_se(document))
    assert (await session.get(first))["excludedCarriers"] == ["Tele2"]
    # One launch at a time for a sender, and a launched sender is never launched again.
    assert _error(await session.api.post(submit, json=_rcs_se(document))) == (400, "RR-RCS-SENDER-ALREADY-REQUESTED400")
    await session.advance(first, times=4)
    await session.complete(first)
    again = _rcs_se(document, countryCode="HR", excludedCarriers=[])
    again["requirements"] = [r for r in again["requirements"] if r["key"] != "companyPhoneNumber"]
    assert _error(await session.api.post(submit, json=again)) == (400, "RR-RCS-SENDER-ALREADY-LAUNCHED400")
    contract.assert_clean()


async def test_an_rcs_launch_goes_through_automatic_validation_and_back_after_an_update(open_session, contract):
    session = await open_session()
    body = _with(_rcs_se(await session.document()), "stopMessage", "Send STOP to stop these messages, please")
    request_id = await session.submit(body)
    assert (await session.get(request_id))["status"] == "PENDING"
    await session.advance(request_id)
    assert (await session.get(request_id))["status"] == "AUTOMATIC_VALIDATION"
    await session.advance(request_id)
    seen = await session.get(request_id)
    assert seen["status"] == "UPDATE_REQUESTED"
    assert [(f["key"], f["code"]) for f in seen["requirementsFeedback"]] == [("stopMessage", "RES_REQ_FEED_LENGTH_OOR")]
    response = await session.api.patch(
        f"/resources/1/requests/{request_id}", json={"requirements": _with(body, "stopMessage", "STOP")["requirements"]}
    )
    assert response.status_code == 200 and response.json()["status"] == "AUTOMATIC_VALIDATION"
    await session.advance(request_id)
    assert (await session.get(request_id))["status"] == "PENDING_REVIEW"
    contract.assert_clean()
