"""Request bodies and value shapes the sandbox tests share."""

from __future__ import annotations

import re

from tests.support.contract import INFOBIP_DATE  # noqa: F401 - shared with the tests

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def hr_alpha(document_id: str, sender: str = "InfobipHR", **values) -> dict:
    """The contract's Croatian alpha example, valid; `values` replace requirement values (None drops)."""
    requirements = {
        "companyName": "Infobip",
        "vatNumber": "HR12345678901",
        "useCase": "Notifications",
        "expectedMonthlyMessages": 50000,
        "companyEmailAddresses": ["contact@infobip.com", "info@infobip.com"],
        "companyWebsite": "https://www.infobip.com",
        "contactPhoneNumber": "+385911234567",
        "companyRegistrationDocument": document_id,
        "registrationConsent": "I consent that Infobip will do registration in my name.",
    }
    requirements.update(values)
    return {
        "type": "ALPHANUMERIC_REGISTRATION",
        "senderName": sender,
        "countryCode": "HR",
        "additionalContactEmails": ["alphanumeric@infobip.com"],
        "trafficOrigin": "LOCAL",
        "trafficType": "TRANSACTIONAL",
        "requirements": [{"key": k, "value": v} for k, v in requirements.items() if v is not None],
        "platform": {"applicationId": "application-id", "entityId": "entity-id"},
    }


def numbers(
    country: str,
    number_type: str = "VIRTUAL_LONG_NUMBER",
    quantity: int = 1,
    capabilities: tuple[str, ...] = ("SMS",),
    requirements: dict | None = None,
) -> dict:
    return {
        "type": "NUMBER_PURCHASE",
        "countryCode": country,
        "numberType": number_type,
        "capabilities": list(capabilities),
        "quantity": quantity,
        "requirements": [{"key": k, "value": v} for k, v in (requirements or {}).items()],
    }
