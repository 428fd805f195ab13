"""What the sandbox's Infobip asks for before it registers a sender or sells numbers.

One requirement set per (request type, country[, number type]), written as the API answers it:
`{key, type, name, description, required, category}` plus `multipleValuesSupported`, `options`,
`validation` and `attachment` where they apply. Croatia's alphanumeric set is the contract's own
example and uses every field type and rule. Combinations Infobip refuses carry its error instead.
"""

from __future__ import annotations

import copy

from bot.sandbox.infobip.request_checks import Problem

# The registration form template attached to Croatia's alpha requirements (the contract's id).
TEMPLATE_DOCUMENT_ID = (
    "103AFCC51DC08FDD351D6ACB689FA071FDF7F7EB92FD6451F62A3AA92EBFA695"
    "96150BE4C4BFFBC97182A27D716ED0D3CB67682EF7E0D615EC501064A8B9A201"
)
TEMPLATE_FILENAME = "registration-form-template.pdf"
CONSENT = "I consent that Infobip will do registration in my name."

ALPHA_UNAVAILABLE = Problem(
    404,
    "RR-ALPHA-UNAVAILABLE404",
    "Alphanumeric sender resource not available for given country.",
    "Please try again with a different country code.",
)
NUMBERS_UNAVAILABLE = Problem(
    404,
    "RR-NUMBER-PURCHASE-UNAVAILABLE404",
    "Number resource not available for given parameters.",
    "Please adjust your parameters (capabilities, number type, quantity, country) and try again.",
)
US_VLN_UNSUPPORTED = Problem(
    400,
    "RR-NUMBER-PURCHASE-US-VLN-UNSUPPORTED400",
    "Virtual Long Number is not supported for the US.",
    "For the US, TEN_DIGIT_LONG_CODE or TOLL_FREE_NUMBER are the supported number types.",
)
US_SHORT_CODE_WEB_ONLY = Problem(
    400,
    "RR-NUMBER-PURCHASE-US-SC-WEB-ONLY400",
    "Short Code purchase for the US is not available via API.",
    "US Short Codes can be requested through Infobip Web Interface.",
)
RCS_COUNTRY_UNSUPPORTED = Problem(
    400,
    "RR-RCS-SENDER-COUNTRY-UNSUPPORTED400",
    "RCS is not supported in the specified country.",
    "Please select a supported country to launch an RCS sender.",
)


_COMPANY_NAME = {
    "key": "companyName",
    "type": "TEXT",
    "name": "Company Name",
    "description": "The legal name of the company.",
    "required": True,
    "category": "BUSINESS_DETAILS",
    "validation": {"minLength": 3, "maxLength": 100},
}
_VAT_NUMBER = {
    "key": "vatNumber",
    "type": "TEXT",
    "name": "VAT Number",
    "description": "The company's VAT registration number.",
    "required": False,
    "category": "BUSINESS_DETAILS",
    "validation": {"pattern": "^[A-Z]{2}[0-9]{8,12}$"},
}
_USE_CASE = {
    "key": "useCase",
    "type": "TEXT",
    "name": "Use Case",
    "description": "Describe the intended messaging use case.",
    "required": True,
    "category": "USE_CASE_DETAILS",
    "options": ["OTP", "Alerts", "Promotions", "Notifications"],
}
_WEBSITE = {
    "key": "companyWebsite",
    "type": "URL",
    "name": "Company Website",
    "description": "The official website of the company.",
    "required": True,
    "category": "BUSINESS_DETAILS",
}
_REGISTRATION_CONSENT = {
    "key": "registrationConsent",
    "type": "TEXT",
    "name": "Registration Consent",
    "description": "Confirm your consent for Infobip to perform the registration on your behalf.",
    "required": True,
    "category": "OTHER",
    "options": [CONSENT],
}
_CONTACT_EMAIL = {
    "key": "contactEmailAddress",
    "type": "EMAIL",
    "name": "Contact Email Address",
    "description": "Email address of the person responsible.",
    "required": True,
    "category": "CONTACT_INFORMATION",
}

ALPHA_HR = [
    _COMPANY_NAME,
    _VAT_NUMBER,
    _USE_CASE,
    {
        "key": "expectedMonthlyMessages",
        "type": "INTEGER",
        "name": "Expected Monthly Messages",
        "description": "Estimated number of messages you plan to send per month.",
        "required": False,
        "category": "USE_CASE_DETAILS",
        "validation": {"minValue": 1000, "maxValue": 10000000},
    },
    {
        "key": "companyEmailAddresses",
        "type": "EMAIL",
        "name": "Company Email Addresses",
        "description": "Email addresses associated with the company.",
        "required": False,
        "category": "CONTACT_INFORMATION",
        "multipleValuesSupported": True,
    },
    _WEBSITE,
    {
        "key": "contactPhoneNumber",
        "type": "GSM",
        "name": "Contact Phone Number",
        "description": "Primary contact phone number in international format.",
        "required": False,
        "category": "CONTACT_INFORMATION",
    },
    {
        "key": "companyRegistrationDocument",
        "type": "DOCUMENT",
        "name": "Company Registration Document",
        "description": "Official document confirming company registration.",
        "required": True,
        "category": "BUSINESS_DETAILS",
    },
    {
        "key": "registrationForm",
        "type": "DOCUMENT",
        "name": "Registration Form",
        "description": "Please fill in the provided template and upload the completed document.",
        "required": False,
        "category": "OTHER",
        "attachment": {"documentId": TEMPLATE_DOCUMENT_ID, "documentType": "TEMPLATE"},
    },
    _REGISTRATION_CONSENT,
]

ALPHA_DE = [
    _COMPANY_NAME,
    _USE_CASE,
    _WEBSITE,
    _CONTACT_EMAIL,
    {
        "key": "businessLicense",
        "type": "DOCUMENT",
        "name": "Business License",
        "description": "Trade register extract (Handelsregisterauszug) of the company.",
        "required": True,
        "category": "BUSINESS_DETAILS",
    },
]

# Serbia shares most keys with Croatia, with rules of its own: its tax id (PIB) is 9 digits, not a
# VAT number of the HR format, and its registration extract comes from the Business Registers Agency.
ALPHA_RS = [
    _COMPANY_NAME,
    {
        "key": "vatNumber",
        "type": "TEXT",
        "name": "Tax ID (PIB)",
        "description": "The company's tax identification number (PIB): 9 digits.",
        "required": True,
        "category": "BUSINESS_DETAILS",
        "validation": {"pattern": "^[0-9]{9}$"},
    },
    _USE_CASE,
    _WEBSITE,
    {
        "key": "companyRegistrationDocument",
        "type": "DOCUMENT",
        "name": "Company Registration Document",
        "description": "Extract from the Serbian Business Registers Agency (APR), or an equivalent registration.",
        "required": True,
        "category": "BUSINESS_DETAILS",
    },
    _REGISTRATION_CONSENT,
]

# Slovenia asks for what Croatia and Serbia share, with its own VAT number (SI and 8 digits) and an
# extract from its business register (AJPES).
ALPHA_SI = [
    _COMPANY_NAME,
    {
        "key": "vatNumber",
        "type": "TEXT",
        "name": "VAT Number (ID za DDV)",
        "description": "The company's Slovenian VAT identification number: SI and 8 digits.",
        "required": True,
        "category": "BUSINESS_DETAILS",
        "validation": {"pattern": "^SI[0-9]{8}$"},
    },
    _USE_CASE,
    _WEBSITE,
    {
        "key": "companyRegistrationDocument",
        "type": "DOCUMENT",
        "name": "Company Registration Document",
        "description": "Extract from the Slovenian Business Register (AJPES), or an equivalent registration.",
        "required": True,
        "category": "BUSINESS_DETAILS",
    },
    ALPHA_RS[-1],  # the same registration consent
]

# 10DLC: every location field is optional; give them to get a number from a state or area code.
US_10DLC = [
    {
        "key": "state",
        "type": "TEXT",
        "name": "State",
        "description": "Two-letter code of the US state the numbers should belong to, for example IN.",
        "required": False,
        "category": "NUMBER_PREFERENCES",
        "validation": {"pattern": "^[A-Z]{2}$"},
    },
    {
        "key": "npa",
        "type": "TEXT",
        "name": "Area Code (NPA)",
        "description": "Three-digit area code, for example 317. Needs a state.",
        "required": False,
        "category": "NUMBER_PREFERENCES",
        "validation": {"pattern": "^[2-9][0-9]{2}$"},
    },
    {
        "key": "nxx",
        "type": "TEXT",
        "name": "Exchange Code (NXX)",
        "description": "Three-digit exchange code, for example 909. Needs a state and an npa.",
        "required": False,
        "category": "NUMBER_PREFERENCES",
        "validation": {"pattern": "^[2-9][0-9]{2}$"},
    },
]

NUMBERS_HR = [
    _COMPANY_NAME,
    _VAT_NUMBER,
    _WEBSITE,
]

NUMBERS_DE = [
    _COMPANY_NAME,
    {
        "key": "companyAddress",
        "type": "TEXT",
        "name": "Company Address",
        "description": "Registered address of the company in Germany.",
        "required": True,
        "category": "BUSINESS_DETAILS",
        "validation": {"minLength": 10, "maxLength": 200},
    },
    {
        "key": "proofOfAddress",
        "type": "DOCUMENT",
        "name": "Proof of Address",
        "description": (
            "A utility bill or bank statement, not older than 3 months, showing the company's German address."
        ),
        "required": True,
        "category": "BUSINESS_DETAILS",
    },
    {
        "key": "businessRegistration",
        "type": "DOCUMENT",
        "name": "Business Registration",
        "description": "Trade register extract (Handelsregisterauszug) of the company.",
        "required": True,
        "category": "BUSINESS_DETAILS",
    },
]

SHORT_CODE_DE = [
    {**_COMPANY_NAME, "validation": {"minLength": 2, "maxLength": 100}},
    {
        "key": "companyPhoneNumber",
        "type": "GSM",
        "name": "Company Phone Number",
        "description": "Company phone number in international format.",
        "required": True,
        "category": "CONTACT_INFORMATION",
    },
    _CONTACT_EMAIL,
    {
        "key": "useCaseDescription",
        "type": "TEXT",
        "name": "Use Case Description",
        "description": "What the short code will be used for.",
        "required": True,
        "category": "USE_CASE_DETAILS",
        "validation": {"minLength": 20, "maxLength": 1000},
    },
]

RCS_HR = [
    {
        "key": "legalBrandCompanyName",
        "type": "TEXT",
        "name": "Legal Brand Company Name",
        "description": "Legal name of the brand's company.",
        "required": True,
        "category": "BUSINESS_DETAILS",
        "validation": {"minLength": 2, "maxLength": 100},
    },
    {
        "key": "stockExchange",
        "type": "TEXT",
        "name": "Stock Exchange",
        "description": "Stock exchange the company is listed on, if any.",
        "required": False,
        "category": "BUSINESS_DETAILS",
    },
    {
        "key": "contactPersonEmailAddresses",
        "type": "EMAIL",
        "name": "Contact Person Email Addresses",
        "description": "Business email addresses of the brand's contact person.",
        "required": True,
        "category": "CONTACT_INFORMATION",
        "multipleValuesSupported": True,
    },
    {
        "key": "contactPersonPhoneNumber",
        "type": "GSM",
        "name": "Contact Person Phone Number",
        "description": "Mobile number of the brand's contact person in international format.",
        "required": True,
        "category": "CONTACT_INFORMATION",
    },
    {
        "key": "attestationLetter",
        "type": "DOCUMENT",
        "name": "Attestation Letter",
        "description": "Signed letter confirming the brand authorises the launch.",
        "required": True,
        "category": "OTHER",
    },
    {
        "key": "stopMessage",
        "type": "TEXT",
        "name": "Stop Message",
        "description": "Message users can send to stop receiving messages.",
        "required": True,
        "category": "USE_CASE_DETAILS",
        "validation": {"maxLength": 20},
    },
]

# Germany and Sweden: the Croatian keys (the contract's example) plus a company phone number,
# which must differ from the contact person's mobile (RR-RCS-SENDER-PHONE-NUMBER-CONFLICT400), and
# the brand's website; a business headquartered abroad (INTERNATIONAL) also proves its registration.
_RCS_COMPANY_PHONE = {
    "key": "companyPhoneNumber",
    "type": "GSM",
    "name": "Company Phone Number",
    "description": "The company's own phone number in international format, not the contact person's mobile.",
    "required": True,
    "category": "CONTACT_INFORMATION",
}
_RCS_BRAND_WEBSITE = {
    **_WEBSITE,
    "key": "brandWebsite",
    "name": "Brand Website",
    "description": "The website of the brand the sender represents.",
}
_RCS_REGISTRATION_ABROAD = {
    "key": "companyRegistrationAbroad",
    "type": "DOCUMENT",
    "name": "Company Registration",
    "description": "Official registration of the company in the country where it is headquartered.",
    "required": True,
    "category": "BUSINESS_DETAILS",
}
RCS_DE = [*RCS_HR[:2], _RCS_BRAND_WEBSITE, *RCS_HR[2:4], _RCS_COMPANY_PHONE, *RCS_HR[4:]]
RCS_SE = [*RCS_HR[:4], _RCS_COMPANY_PHONE, *RCS_HR[4:]]

ALPHA = {"HR": ALPHA_HR, "DE": ALPHA_DE, "RS": ALPHA_RS, "SI": ALPHA_SI}
# RCS sender launch by country, and what a business headquartered abroad adds to it.
RCS = {"HR": RCS_HR, "DE": RCS_DE, "SE": RCS_SE}
RCS_INTERNATIONAL_EXTRA = {"DE": [_RCS_REGISTRATION_ABROAD]}

# (country, number type) -> (capabilities on offer, requirements) or Infobip's refusal.
NUMBERS: dict[tuple[str, str], tuple[frozenset[str], list[dict]] | Problem] = {
    ("US", "TEN_DIGIT_LONG_CODE"): (frozenset({"SMS", "MMS", "VOICE"}), US_10DLC),
    ("US", "TOLL_FREE_NUMBER"): (frozenset({"SMS", "VOICE"}), []),
    ("US", "VIRTUAL_LONG_NUMBER"): US_VLN_UNSUPPORTED,
    ("US", "SHORT_CODE"): US_SHORT_CODE_WEB_ONLY,
    ("GB", "VIRTUAL_LONG_NUMBER"): (frozenset({"SMS", "VOICE"}), []),
    ("GB", "TOLL_FREE_NUMBER"): (frozenset({"VOICE"}), []),
    ("HR", "VIRTUAL_LONG_NUMBER"): (frozenset({"SMS", "VOICE", "MMS"}), NUMBERS_HR),
    ("DE", "VIRTUAL_LONG_NUMBER"): (frozenset({"SMS", "VOICE"}), NUMBERS_DE),
    ("DE", "SHORT_CODE"): (frozenset({"SMS"}), SHORT_CODE_DE),
    ("SE", "VIRTUAL_LONG_NUMBER"): (frozenset({"SMS", "VOICE"}), []),
}


def requirements_for(body: dict) -> list[dict] | Problem:
    """The requirement set for a (structurally valid) lookup or submit body, or Infobip's refusal."""
    country = body["countryCode"].upper()
    kind = body["type"]
    if kind == "ALPHANUMERIC_REGISTRATION":
        found = ALPHA.get(country, ALPHA_UNAVAILABLE)
    elif kind == "RCS_SENDER_LAUNCH":
        found = RCS.get(country, RCS_COUNTRY_UNSUPPORTED)
        if body.get("trafficOrigin") == "INTERNATIONAL" and isinstance(found, list):
            found = found + RCS_INTERNATIONAL_EXTRA.get(country, [])
    else:
        offer = NUMBERS.get((country, body["numberType"]), NUMBERS_UNAVAILABLE)
        if isinstance(offer, Problem):
            return offer
        capabilities, found = offer
        if not set(body["capabilities"]) <= capabilities:
            return NUMBERS_UNAVAILABLE
    return found if isinstance(found, Problem) else copy.deepcopy(found)
