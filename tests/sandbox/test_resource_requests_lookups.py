"""Requirement and coverage lookups, documents and the owned-resources search, over real HTTP."""

from __future__ import annotations

from bot.sandbox.infobip.requirements_catalog import TEMPLATE_DOCUMENT_ID
from tests.support.infobip_bodies import hr_alpha, numbers

LOOKUP = "/resources/1/requirements-lookup"


def _error(response) -> tuple[int, str]:
    return response.status_code, response.json()["errorCode"]


async def test_croatian_alpha_requirements_use_every_type_and_rule(open_session, contract):
    session = await open_session()
    response = await session.api.post(
        LOOKUP,
        json={
            "type": "ALPHANUMERIC_REGISTRATION",
            "countryCode": "HR",
            "trafficOrigin": "LOCAL",
            "trafficType": "TRANSACTIONAL",
        },
    )
    assert response.status_code == 200
    specs = {spec["key"]: spec for spec in response.json()["requirements"]}
    assert {spec["type"] for spec in specs.values()} == {"TEXT", "INTEGER", "EMAIL", "URL", "GSM", "DOCUMENT"}
    assert specs["vatNumber"]["validation"] == {"pattern": "^[A-Z]{2}[0-9]{8,12}$"}
    assert specs["useCase"]["options"] == ["OTP", "Alerts", "Promotions", "Notifications"]
    assert specs["registrationConsent"]["options"] == ["I consent that Infobip will do registration in my name."]
    assert specs["expectedMonthlyMessages"]["validation"] == {"minValue": 1000, "maxValue": 10000000}
    assert specs["companyEmailAddresses"]["multipleValuesSupported"] is True
    assert "attachment" not in specs["companyRegistrationDocument"]
    assert specs["registrationForm"]["attachment"] == {"documentId": TEMPLATE_DOCUMENT_ID, "documentType": "TEMPLATE"}

    template = await session.api.get(f"/resources/1/documents/{TEMPLATE_DOCUMENT_ID}")
    assert template.status_code == 200 and template.headers["content-type"] == "application/pdf"
    assert template.content.startswith(b"%PDF-") and template.content.rstrip().endswith(b"%%EOF")
    assert "registration-form-template.pdf" in template.headers["content-disposition"]
    # The template is Infobip's: the account cannot delete it, nor submit it as its own document.
    assert _error(await session.api.delete(f"/resources/1/documents/{TEMPLATE_DOCUMENT_ID}")) == (404, "RR-DOC404")
    contract.assert_clean()


async def test_every_catalog_entry_answers_as_infobip_would(open_session, contract):
    session = await open_session()
    alpha = {"type": "ALPHANUMERIC_REGISTRATION"}
    rcs = {"type": "RCS_SENDER_LAUNCH", "trafficOrigin": "LOCAL", "excludedCarriers": ["Carrier A"]}

    def number(country, number_type, *capabilities):
        return {
            "type": "NUMBER_PURCHASE",
            "countryCode": country,
            "numberType": number_type,
            "capabilities": list(capabilities or ("SMS",)),
            "quantity": 1,
        }

    keys = {
        "alpha DE": (
            {**alpha, "countryCode": "DE"},
            ["companyName", "useCase", "companyWebsite", "contactEmailAddress", "businessLicense"],
        ),
        "10DLC": (number("US", "TEN_DIGIT_LONG_CODE"), ["state", "npa", "nxx"]),
        "US toll-free": (number("US", "TOLL_FREE_NUMBER", "SMS", "VOICE"), []),
        "GB long number": (number("GB", "VIRTUAL_LONG_NUMBER"), []),
        "DE long number": (
            number("DE", "VIRTUAL_LONG_NUMBER", "SMS", "VOICE"),
            ["companyName", "companyAddress", "proofOfAddress", "businessRegistration"],
        ),
        "HR long number": (
            number("HR", "VIRTUAL_LONG_NUMBER", "SMS", "MMS"),
            ["companyName", "vatNumber", "companyWebsite"],
        ),
        "RCS HR": (
            {**rcs, "countryCode": "HR"},
            [
                "legalBrandCompanyName",
                "stockExchange",
                "contactPersonEmailAddresses",
                "contactPersonPhoneNumber",
                "attestationLetter",
                "stopMessage",
            ],
        ),
        "RCS SE": (
            {**rcs, "countryCode": "SE"},
            [
                "legalBrandCompanyName",
                "stockExchange",
                "contactPersonEmailAddresses",
                "contactPersonPhoneNumber",
                "companyPhoneNumber",
                "attestationLetter",
                "stopMessage",
            ],
        ),
        "RCS DE, a business from abroad": (
            {**rcs, "countryCode": "DE", "trafficOrigin": "INTERNATIONAL"},
            [
                "legalBrandCompanyName",
                "stockExchange",
                "brandWebsite",
                "contactPersonEmailAddresses",
                "contactPersonPhoneNumber",
                "companyPhoneNumber",
                "attestationLetter",
                "stopMessage",
                "companyRegistrationAbroad",
            ],
        ),
    }
    for label, (body, expected) in keys.items():
        response = await session.api.post(LOOKUP, json=body)
        assert response.status_code == 200, label
        assert [spec["key"] for spec in response.json()["requirements"]] == expected, label
    ten_dlc = (await session.api.post(LOOKUP, json=number("US", "TEN_DIGIT_LONG_CODE"))).json()["requirements"]
    assert all(not spec["required"] for spec in ten_dlc)

    refusals = {
        "alpha GB": ({**alpha, "countryCode": "GB"}, (404, "RR-ALPHA-UNAVAILABLE404")),
        "US long number": (number("US", "VIRTUAL_LONG_NUMBER"), (400, "RR-NUMBER-PURCHASE-US-VLN-UNSUPPORTED400")),
        "US short code": (number("US", "SHORT_CODE"), (400, "RR-NUMBER-PURCHASE-US-SC-WEB-ONLY400")),
        "GB long number with MMS": (
            number("GB", "VIRTUAL_LONG_NUMBER", "MMS"),
            (404, "RR-NUMBER-PURCHASE-UNAVAILABLE404"),
        ),
        "no Swedish short codes": (number("SE", "SHORT_CODE"), (404, "RR-NUMBER-PURCHASE-UNAVAILABLE404")),
        "RCS GB": ({**rcs, "countryCode": "GB"}, (400, "RR-RCS-SENDER-COUNTRY-UNSUPPORTED400")),
    }
    for label, (body, expected) in refusals.items():
        response = await session.api.post(LOOKUP, json=body)
        assert _error(response) == expected, label
        assert response.json()["violations"] == [] and response.json()["resources"] == []
    us_vln = (await session.api.post(LOOKUP, json=number("US", "VIRTUAL_LONG_NUMBER"))).json()
    assert us_vln["description"] == "Virtual Long Number is not supported for the US."
    contract.assert_clean()


async def test_malformed_lookups_name_each_violation(open_session, contract):
    session = await open_session()
    number = {
        "type": "NUMBER_PURCHASE",
        "countryCode": "GB",
        "numberType": "VIRTUAL_LONG_NUMBER",
        "capabilities": ["SMS"],
    }
    cases = [
        ({**number, "quantity": 0}, ("quantity", "must be greater than or equal to 1")),
        ({**number, "quantity": 50}, ("quantity", "must be less than or equal to 49")),
        ({k: v for k, v in number.items() if k != "countryCode"}, ("countryCode", "must not be blank")),
        ({**number, "countryCode": "XX"}, ("countryCode", "must be a two-letter ISO 3166-1 country code")),
        ({**number, "capabilities": ["SMS", "FAX"]}, ("capabilities[1]", "must be one of [SMS, VOICE, MMS]")),
        ({**number, "capabilities": []}, ("capabilities", "must not be empty")),
        ({k: v for k, v in number.items() if k != "numberType"}, ("numberType", "must not be null")),
        (
            {"type": "DOMAIN_REGISTRATION", "countryCode": "HR"},
            ("type", "must be one of [ALPHANUMERIC_REGISTRATION, NUMBER_PURCHASE, RCS_SENDER_LAUNCH]"),
        ),
        (
            {"type": "ALPHANUMERIC_REGISTRATION", "countryCode": "HR", "trafficType": "MARKETING"},
            ("trafficType", "must be one of [PROMOTIONAL, TRANSACTIONAL]"),
        ),
        ({"type": "RCS_SENDER_LAUNCH", "countryCode": "HR"}, ("trafficOrigin", "must not be null")),
    ]
    for body, violation in cases:
        response = await session.api.post(LOOKUP, json=body)
        assert _error(response) == (400, "E400"), body
        assert {"property": violation[0], "violation": violation[1]} in response.json()["violations"], response.text
    # Those bodies break the contract on purpose; the answers must still keep to it.
    contract.failures = [f for f in contract.failures if not f.startswith("request ")]
    contract.assert_clean()


async def test_documents_upload_download_delete(open_session, contract):
    session = await open_session()
    uploaded = await session.upload("Extract from the register.PDF", b"%PDF-1.4 extract", "application/pdf")
    assert uploaded.status_code == 201
    document_id = uploaded.json()["documentId"]
    assert len(document_id) == 128 and uploaded.headers["location"] == f"/resources/1/documents/{document_id}"

    download = await session.api.get(f"/resources/1/documents/{document_id}")
    assert download.status_code == 200 and download.content == b"%PDF-1.4 extract"
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == 'attachment; filename="Extract from the register.PDF"'

    assert (await session.api.delete(f"/resources/1/documents/{document_id}")).status_code == 204
    assert _error(await session.api.get(f"/resources/1/documents/{document_id}")) == (404, "RR-DOC404")
    assert _error(await session.api.delete(f"/resources/1/documents/{document_id}")) == (404, "RR-DOC404")

    rejected = {
        "setup.exe": (b"MZ", "application/octet-stream", ("document", "Unsupported document content type.")),
        "notes.txt": (b"hello", "text/plain", ("document", "Unsupported document content type.")),
        "empty.pdf": (b"", "application/pdf", ("document", "Must not be null or empty.")),
    }
    for filename, (data, content_type, violation) in rejected.items():
        response = await session.upload(filename, data, content_type)
        assert _error(response) == (400, "E400"), filename
        assert response.json()["violations"] == [{"property": violation[0], "violation": violation[1]}]
    for name in ("a.docx", "b.jpeg", "c.png", "d.xlsx", "e.mp4", "f.webm"):
        assert (await session.upload(name, b"content", "application/octet-stream")).status_code == 201, name
    contract.assert_clean()


async def test_completed_requests_become_owned_resources_with_coverage(open_session, contract):
    session = await open_session()
    sender = await session.submit(hr_alpha(await session.document(), sender="ShopHR"))
    await session.complete(sender)
    bought = await session.submit(numbers("GB", quantity=2, capabilities=("SMS", "VOICE")))
    completed = await session.complete(bought)
    assert len(completed["numbers"]) == 2

    senders = await session.api.post("/resources/1/resources", json={"resourceType": "ALPHANUMERIC"})
    assert senders.status_code == 200
    assert senders.json() == {
        "results": [
            {
                "senderName": "ShopHR",
                "countryCode": "HR",
                "countryName": "Croatia",
                "capabilities": ["SMS"],
                "resourceType": "ALPHANUMERIC",
            }
        ],
        "paging": {"page": 0, "size": 1, "totalPages": 1, "totalResults": 1},
    }
    owned = await session.api.post(
        "/resources/1/resources", params={"page": 0, "size": 1}, json={"resourceType": "NUMBER", "countryCode": "GB"}
    )
    page = owned.json()
    assert page["paging"] == {"page": 0, "size": 1, "totalPages": 2, "totalResults": 2}
    number = page["results"][0]
    assert number["numberKey"] in {n["numberKey"] for n in completed["numbers"]}
    assert number["capabilities"] == ["SMS"] and number["numberType"] == "VIRTUAL_LONG_NUMBER"
    assert number["platform"] == {"applicationId": "default"}
    none = await session.api.post("/resources/1/resources", json={"resourceType": "NUMBER", "countryCode": "US"})
    assert none.json()["results"] == []

    sender_key = {"resourceType": "ALPHANUMERIC", "senderName": "ShopHR", "countryCode": "HR"}
    coverage = await session.api.post("/resources/1/coverage-lookup", json=sender_key)
    assert coverage.status_code == 200
    sms = coverage.json()["capabilities"][0]
    assert sms["channel"] == "SMS" and sms["coverage"]["inbound"] is False
    assert {"mccNnc": "21901", "networkName": "Hrvatski Telekom"} in sms["coverage"]["outbound"]
    by_number = await session.api.post(
        "/resources/1/coverage-lookup", json={"resourceType": "NUMBER", "number": "+" + number["number"]}
    )
    assert by_number.status_code == 200 and by_number.json()["numberKey"] == number["numberKey"]

    unknown = await session.api.post(
        "/resources/1/coverage-lookup",
        json={"resourceType": "ALPHANUMERIC", "senderName": "Nobody", "countryCode": "HR"},
    )
    assert unknown.status_code == 404 and unknown.content == b""
    bad = await session.api.post("/resources/1/resources", json={"resourceType": "PIGEON"})
    assert bad.status_code == 400 and bad.json()["requestError"]["serviceException"]["messageId"] == "BAD_REQUEST"
    contract.assert_clean()


async def test_a_countrys_requirements_can_change_at_runtime(open_session, contract):
    """PUT /_sandbox/requirements: Infobip now asks for another set; lookups and submissions of that
    type and country see it (a submission built from the old set is refused over its keys), others
    don't; DELETE brings the catalog's sets back."""
    session = await open_session()
    document = await session.document()
    alpha_hr = {"type": "ALPHANUMERIC_REGISTRATION", "countryCode": "HR"}
    before = (await session.api.post(LOOKUP, json=alpha_hr)).json()["requirements"]
    changed = [spec for spec in before if spec["key"] != "vatNumber"]
    changed.append({"key": "taxOffice", "type": "TEXT", "name": "Tax Office", "required": True})
    answer = await session.admin.put("/requirements", json={**alpha_hr, "requirements": changed})
    assert answer.status_code == 200 and answer.json()["requirements"] == changed

    after = (await session.api.post(LOOKUP, json={**alpha_hr, "countryCode": "hr", "trafficOrigin": "LOCAL"})).json()
    assert [spec["key"] for spec in after["requirements"]] == [spec["key"] for spec in changed]
    de = (await session.api.post(LOOKUP, json={**alpha_hr, "countryCode": "DE"})).json()["requirements"]
    assert "vatNumber" not in {s["key"] for s in de} and "taxOffice" not in {s["key"] for s in de}

    refused = await session.api.post("/resources/1/requests", json=hr_alpha(document))
    assert refused.status_code == 400 and refused.json()["errorCode"] == "E400"
    assert {"property": "requirements[1].key", "violation": "Unknown requirement key 'vatNumber'."} in refused.json()[
        "violations"
    ]
    await session.submit(hr_alpha(document, vatNumber=None, taxOffice="Zagreb"))

    for wrong in ({"type": "NOPE", "countryCode": "HR", "requirements": []}, {**alpha_hr, "requirements": [{}]}, {}):
        assert (await session.admin.put("/requirements", json=wrong)).status_code == 400
    number = {"type": "NUMBER_PURCHASE", "countryCode": "SE", "requirements": []}
    assert (await session.admin.put("/requirements", json=number)).status_code == 400  # which number type?

    assert (await session.admin.delete("/requirements")).status_code == 204
    assert (await session.api.post(LOOKUP, json=alpha_hr)).json()["requirements"] == before
    contract.assert_clean()
