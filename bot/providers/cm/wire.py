"""Every CM.com wire name the bot and the stand-in use, in one place.

CM.com publishes no machine-readable spec for voice number requests. What is known comes from
the "Create Number Request" doc page and is summed up in `shared/contracts/README.md`
("CM.com voice number requests"); each name below says whether it is KNOWN (from there) or
ASSUMED (our best guess, to be corrected here, and only here, once CM.com confirms it).
The client (`bot/providers/cm/client.py`) and the stand-in (`bot/sandbox/cm/`) both read these
names, so correcting one keeps them in step.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

# ---- Host, paths, auth ------------------------------------------------------------------------

# ASSUMED (the contract's assumed URL). Settings' CM_BASE_URL overrides it.
DEFAULT_BASE_URL: Final = "https://api.cm.com"

# KNOWN: the path carries the account GUID ("Logical Account or Voice Account").
# ASSUMED: the rest of the path.
BASE_PATH: Final = "/voice-phonenumberrequestapi/v1/{account_id}"
# ASSUMED: `POST` creates; CM.com answers 2xx with the object whose id/start/validFrom/validTo are
# null (KNOWN, from the doc page).
NUMBER_REQUESTS_PATH: Final = BASE_PATH + "/numberrequests"
# ASSUMED: `GET` reads one request; `DELETE` cancels it and answers 204.
NUMBER_REQUEST_PATH: Final = NUMBER_REQUESTS_PATH + "/{request_id}"
# ASSUMED: `GET` → {"maxQuantity": int, "rangeSizes": [int], "phoneNumberTypes": [str]}. The doc
# page KNOWS an "order restrictions endpoint" gives the allowed range sizes; not its path.
ORDER_RESTRICTIONS_PATH: Final = BASE_PATH + "/orderrestrictions"
# ASSUMED: `GET ?countryCode=XX&phoneNumberType=…` → {"cities": [...], "regions": [...],
# "areaCodes": [...]}, all lists of strings.
LOCALE_OPTIONS_PATH: Final = BASE_PATH + "/localeoptions"

# KNOWN: CM.com's voice APIs authenticate with this header.
PRODUCT_TOKEN_HEADER: Final = "X-CM-PRODUCTTOKEN"

# ---- Create body (field order as on the doc page) ----------------------------------------------
# KNOWN: the fields and their meaning. ASSUMED: these exact JSON spellings.

COMPANY_PROFILE_GUID: Final = "companyProfileGuid"  # uuid of the company profile operating them
QUANTITY: Final = "quantity"  # 1..1000 (KNOWN bounds)
# Only for ranges; allowed values come from the order restrictions. ASSUMED: `quantity` counts
# numbers, so with a range size it is a multiple of it (the stand-in enforces that).
RANGE_SIZE: Final = "rangeSize"
PHONE_NUMBER_TYPE: Final = "phoneNumberType"
AREA_CODE: Final = "areaCode"  # required when no city (KNOWN)
CITY: Final = "city"  # required when no area code (KNOWN)
REGION: Final = "region"  # only for NANPA (KNOWN)
COMMENT: Final = "comment"
CALLBACK_URL: Final = "callbackUrl"  # status changes are POSTed here (KNOWN)

CREATE_FIELDS: Final = (
    COMPANY_PROFILE_GUID,
    QUANTITY,
    RANGE_SIZE,
    PHONE_NUMBER_TYPE,
    AREA_CODE,
    CITY,
    REGION,
    COMMENT,
    CALLBACK_URL,
)

# ---- The number request object (read answer and callback body) ---------------------------------

ID: Final = "id"  # KNOWN to exist, null in the create answer; ASSUMED: a string
STATUS: Final = "status"  # ASSUMED name; an open set of strings (see Status)
START: Final = "start"  # KNOWN to exist, meaning unknown; the stand-in puts the first number there
VALID_FROM: Final = "validFrom"  # KNOWN to exist; ASSUMED: an ISO 8601 timestamp
VALID_TO: Final = "validTo"  # KNOWN to exist; ASSUMED: an ISO 8601 timestamp or null
NUMBERS: Final = "numbers"  # ASSUMED: the assigned numbers, E.164 strings
REASON: Final = "reason"  # ASSUMED: support's reason on accept/reject (that one is given is KNOWN)
CREATED: Final = "created"  # ASSUMED: ISO 8601 timestamps
MODIFIED: Final = "modified"
# ASSUMED: the create fields are echoed back on the object under the same names.

# ---- Lookups ---------------------------------------------------------------------------------
# ASSUMED: every name in this section.

MAX_QUANTITY: Final = "maxQuantity"
RANGE_SIZES: Final = "rangeSizes"
PHONE_NUMBER_TYPES: Final = "phoneNumberTypes"
COUNTRY_CODE_PARAM: Final = "countryCode"  # ISO 3166-1 alpha-2
PHONE_NUMBER_TYPE_PARAM: Final = "phoneNumberType"
CITIES: Final = "cities"
REGIONS: Final = "regions"
AREA_CODES: Final = "areaCodes"

# ---- Errors ------------------------------------------------------------------------------------

# ASSUMED: an error body is a JSON object with a human message. The client reads the first of these
# that holds text (`message` is what the stand-in sends; `detail`/`title` cover ASP.NET problem
# details) and falls back to a plain-text body.
ERROR_MESSAGE_FIELDS: Final = ("message", "detail", "title", "error")


# ---- Values --------------------------------------------------------------------------------------


class PhoneNumberType(StrEnum):
    """KNOWN: the types company profiles list."""

    LOCAL = "LOCAL"
    NATIONAL = "NATIONAL"
    TOLLFREE = "TOLLFREE"


class Status(StrEnum):
    """ASSUMED status strings. The set is open: read `status` as a plain string and map unknown
    values to a safe default; these are the ones the stand-in produces."""

    PENDING = "Pending"  # waiting for CM.com support's review
    COMPLETED = "Completed"  # numbers assigned at once (they were in stock)
    ACCEPTED = "Accepted"  # support accepted; numbers assigned, `reason` given
    REJECTED = "Rejected"  # support rejected; `reason` given
    CANCELLED = "Cancelled"  # cancelled by us before it was final


# A request in one of these no longer changes and can no longer be cancelled.
FINAL_STATUSES: Final = frozenset(
    s.value for s in (Status.COMPLETED, Status.ACCEPTED, Status.REJECTED, Status.CANCELLED)
)

# KNOWN: NANPA countries need a region. ASSUMED: this list of ISO codes that share +1.
NANPA_COUNTRIES: Final = frozenset(
    {
        "US",
        "CA",
        "AG",
        "AI",
        "AS",
        "BB",
        "BM",
        "BS",
        "DM",
        "DO",
        "GD",
        "GU",
        "JM",
        "KN",
        "KY",
        "LC",
        "MP",
        "MS",
        "PR",
        "SX",
        "TC",
        "TT",
        "VC",
        "VG",
        "VI",
    }
)
