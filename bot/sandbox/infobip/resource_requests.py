"""Sandbox part: resource requests, requirements and coverage lookups, documents, owned-resources
search, the request lifecycle and its webhooks.

Infobip's paths (auth, rate limits and injected faults are applied in front of them by app.py):

    POST   /resources/1/requirements-lookup      requirement set, or Infobip's refusal (requirements_catalog)
    POST   /resources/1/coverage-lookup          coverage of one owned sender or number
    POST   /resources/1/resources                owned resources (completed requests), filtered
    POST   /resources/1/documents                multipart field `document` -> 201 {documentId}
    GET    /resources/1/documents/{documentId}   the bytes, with their content type
    DELETE /resources/1/documents/{documentId}   204
    POST   /resources/1/requests                 submit -> 201 {id}
    GET    /resources/1/requests                 filters countryCode, status, type; page, size, sort
    GET    /resources/1/requests/{id}
    PATCH  /resources/1/requests/{id}            all requirements again -> 200 with the request
    POST   /resources/1/requests/{id}/cancel     204

Admin (reviewer and test) controls, under /_sandbox with the same `Authorization: App <key>`,
JSON in and out; errors are {"error": "..."} with 400 (bad body), 404 (unknown id) or 409 (not
allowed in the request's status):

    GET  /_sandbox/resource-requests             every request with its full internal state
    GET  /_sandbox/resource-requests/{id}        one request's full internal state
    POST /_sandbox/resource-requests/{id}/advance
         one lifecycle step; from IN_REVIEW it is the reviewer's approval (in "manual" review the
         only way on). 409 while the request waits for its requester or is final.
    POST /_sandbox/resource-requests/{id}/request-changes
         {"feedback": [{"key": "...", "code": "RES_REQ_FEED_...", "feedback": "..."}], "internal": false}
         -> UPDATE_REQUESTED, or UPDATE_REQUESTED_BY_INTERNAL_REVIEWER when "internal" is true
    POST /_sandbox/resource-requests/{id}/reject      {"note": "..."} -> REJECTED
    POST /_sandbox/resource-requests/{id}/complete    {"note": "..."?, "procured": N?} -> COMPLETED;
         a number purchase procures at most N numbers (fewer than asked: a partial completion)
    PUT  /_sandbox/requirements                  {"type": "...", "countryCode": "HR", "numberType": "..."?,
         "requirements": [...]} -> 200: Infobip changed what it asks for; lookups and submissions of
         that type, country (and number type) use this set from now on, whatever the catalog says
    DELETE /_sandbox/requirements                -> 204: every set as the catalog has it again
    POST /_sandbox/clock/advance                 {"days": N, "hours": H?, "seconds": S?}
         moves the sandbox clock forward and runs the reminders and idle rejections now due
    GET  /_sandbox/webhooks                      the outbox: pending (attempts, last error), delivered, unsent
    POST /_sandbox/webhooks/drain                {"timeout": 10?} waits until every queued webhook is
         delivered: 200 with the outbox, 504 if the time runs out first
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import math
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import phonenumbers
import pycountry
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.sandbox.infobip import lifecycle as lc
from bot.sandbox.infobip.clock import infobip_timestamp
from bot.sandbox.infobip.documents import DocumentStore, document_routes, template_pdf
from bot.sandbox.infobip.errors import legacy_error, new_error
from bot.sandbox.infobip.request_checks import (
    NUMBER_TYPES,
    REQUEST_TYPES,
    Problem,
    Violation,
    filled_violations,
    lookup_violations,
    rcs_problem,
    submit_violations,
    ten_dlc_problem,
    update_violations,
)
from bot.sandbox.infobip.requirements_catalog import TEMPLATE_DOCUMENT_ID, TEMPLATE_FILENAME, requirements_for
from bot.sandbox.infobip.webhook_sender import WebhookOutbox, reminder_body, status_change_body

if TYPE_CHECKING:
    from bot.sandbox.infobip.sandbox import InfobipSandbox

log = logging.getLogger(__name__)

# The account's login, shown as `requestedByEmailAddress` (*assumed*: the sandbox has one user).
ACCOUNT_EMAIL = "owner@sandbox.example.com"
MAX_PAGE_SIZE = 2000
DEFAULT_PAGE_SIZE = 20
FEEDBACK_CODES = (
    "RES_REQ_FEED_REQUIRED",
    "RES_REQ_FEED_FORMAT",
    "RES_REQ_FEED_LENGTH_OOR",
    "RES_REQ_FEED_VALUE_OOR",
    "RES_REQ_FEED_OTHER",
    "RES_REQ_FEED_USER_ACTION_REQUIRED",
)

REQUEST_NOT_FOUND = Problem(
    404, "RR404", "Resource request not found.", "Please verify the resource request ID and adjust your request."
)
INVALID_STATUS = Problem(
    400,
    "RR-INVALID-STATUS400",
    "The resource request is in a status that does not allow updates or cancellations.",
    "Please verify the resource request status and perform this action only when it is in an allowed state.",
)
SENDER_EXISTS = Problem(
    400,
    "RR-ALPHA-SENDER-ALREADY-EXISTS400",
    "Alphanumeric sender name already exists for given country.",
    "Please try again with different sender name.",
)
SENDER_LIMIT = Problem(
    400,
    "RR-ALPHA-SS-LIMIT400",
    "You can have up to 2 pending sender requests at once.",
    "Track their status in Get resource request, or contact us for more information.",
)
RCS_ALREADY_LAUNCHED = Problem(
    400,
    "RR-RCS-SENDER-ALREADY-LAUNCHED400",
    "RCS sender has already been launched.",
    "Sender cannot be launched in multiple countries. Create a new sender to start the launch process.",
)
RCS_ALREADY_REQUESTED = Problem(
    400,
    "RR-RCS-SENDER-ALREADY-REQUESTED400",
    "A launch request for this RCS sender is already in progress.",
    "Please wait for the current launch process to finish before taking any further action with this sender.",
)
RCS_INVALID_CARRIERS = Problem(
    400,
    "RR-RCS-SENDER-INVALID-CARRIERS400",
    "One or more specified carrier names are invalid for the target country.",
    "Verify carrier names are correct for the specified country.",
)

# Mobile networks per country (also the carriers an RCS launch may exclude), for coverage answers (mccMnc, name).
NETWORKS = {
    "HR": (("21901", "Hrvatski Telekom"), ("21910", "A1 Hrvatska"), ("21902", "Telemach Hrvatska")),
    "GB": (("23430", "EE"), ("23415", "Vodafone UK"), ("23410", "O2 UK"), ("23420", "Three UK")),
    "DE": (("26201", "Telekom Deutschland"), ("26202", "Vodafone Germany"), ("26203", "Telefonica Germany")),
    "US": (("310260", "T-Mobile USA"), ("310410", "AT&T Mobility"), ("311480", "Verizon Wireless")),
    "SE": (("24001", "Telia"), ("24007", "Tele2"), ("24008", "Telenor Sweden")),
}
RESOURCE_TYPES = (
    "ALPHANUMERIC",
    "NUMBER",
    "RCS_RESOURCE",
    "VIBER_RESOURCE",
    "APPLE_RESOURCE",
    "OPEN_CHANNEL_RESOURCE",
    "KAKAO_RESOURCE",
    "FACEBOOK_RESOURCE",
)


# ---- answers ------------------------------------------------------------------------------------


def problem_response(problem: Problem) -> JSONResponse:
    return new_error(problem.status, problem.code, problem.description, problem.action)


def bad_request(violations: list[Violation]) -> JSONResponse:
    return new_error(
        400, "E400", "Request cannot be processed.", "Check the syntax, violations and adjust the request.", violations
    )


def legacy_bad_request(field: str, message: str) -> JSONResponse:
    # Coverage lookup and resources search answer errors in the legacy shape (see the contract).
    return legacy_error(400, "BAD_REQUEST", "Bad request", {field: [message]})


def admin_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def read_json(request: Request) -> tuple[object, bool]:
    raw = await request.body()
    try:
        return json.loads(raw), True
    except ValueError:
        return None, False


async def checked_body(request: Request, violations_of: Callable[[object], list[Violation]]) -> dict | Response:
    """The JSON object a request carries, or the 400 for a malformed body or its violations."""
    body, ok = await read_json(request)
    if not ok:
        return bad_request([("", "Malformed JSON request body.")])
    violations = violations_of(body)
    if violations:
        return bad_request(violations)
    assert isinstance(body, dict)  # each check refuses any other body
    return body


async def body_and_requirements(
    request: Request,
    violations_of: Callable[[object], list[Violation]],
    find: Callable[[dict], list[dict] | Problem] = requirements_for,
) -> tuple[dict, list[dict]] | Response:
    """A lookup or submit body and the requirement set it asks about (by `find`), or the answer refusing it."""
    body = await checked_body(request, violations_of)
    if isinstance(body, Response):
        return body
    specs = find(body)
    return problem_response(specs) if isinstance(specs, Problem) else (body, specs)


async def resource_query(request: Request) -> dict | Response:
    """A coverage or resources-search body with a known `resourceType`, or the legacy 400."""
    body, ok = await read_json(request)
    if not ok or not isinstance(body, dict):
        return legacy_bad_request("body", "must be a JSON object")
    if body.get("resourceType") not in RESOURCE_TYPES:
        return legacy_bad_request("resourceType", f"must be one of [{', '.join(RESOURCE_TYPES)}]")
    return body


def query_values(request: Request, name: str) -> list[str]:
    """A list parameter given repeated (`?status=A&status=B`) or comma-separated (`?status=A,B`)."""
    return [part.strip() for value in request.query_params.getlist(name) for part in value.split(",") if part.strip()]


def query_int(request: Request, name: str) -> int | None:
    try:
        return int(request.query_params[name])
    except (KeyError, ValueError):
        return None


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


# ---- the request as the API shows it ------------------------------------------------------------


def render(request: lc.ResourceRequest) -> dict:
    """A request in the contract's shape for its type (note the e-mail field names differ)."""
    details = request.details
    common = {
        "requestedByEmailAddress": ACCOUNT_EMAIL,
        "requestedDate": infobip_timestamp(request.requested_at),
        "status": request.status,
    }
    if request.type == "ALPHANUMERIC_REGISTRATION":
        body = {
            "id": request.id,
            "type": request.type,
            "countryCode": request.country_code,
            "senderName": details["senderName"],
            **common,
            "additionalContactEmailAddresses": list(request.contact_emails),
        }
        body.update({k: details[k] for k in ("trafficOrigin", "trafficType") if k in details})
    elif request.type == "NUMBER_PURCHASE":
        body = {
            "id": request.id,
            "type": request.type,
            "countryCode": request.country_code,
            **common,
            "additionalContactEmailAddresses": list(request.contact_emails),
            "numberType": details["numberType"],
            "capabilities": list(details["capabilities"]),
            "quantity": details["quantity"],
            "numbers": [dict(n) for n in request.numbers],
        }
    else:
        body = {
            "id": request.id,
            "type": request.type,
            "countryCode": request.country_code,
            "excludedCarriers": list(details["excludedCarriers"]),
            "senderName": details["senderName"],
            **common,
            "additionalContactEmails": list(request.contact_emails),
            "trafficOrigin": details["trafficOrigin"],
        }
    if request.note:
        body["note"] = request.note
    body["requirementsFeedback"] = [dict(item) for item in request.feedback]
    body["requirements"] = [dict(item) for item in request.requirements]
    body["platform"] = request.platform_view()
    return body


def internal_state(request: lc.ResourceRequest) -> dict:
    return {
        "id": request.id,
        "type": request.type,
        "countryCode": request.country_code,
        "status": request.status,
        "details": request.details,
        "requirements": request.requirements,
        "requirementSpecs": request.specs,
        "feedback": request.feedback,
        "note": request.note,
        "numbers": request.numbers,
        "platform": request.platform,
        "requestedAt": infobip_timestamp(request.requested_at),
        "modifiedAt": infobip_timestamp(request.modified_at),
        "statusSince": infobip_timestamp(request.status_since),
        "remindersSent": request.reminders_sent,
        "history": request.history,
        "api": render(request),
    }


def _sort_key(name: str):
    return {"requestedDate": lambda r: r.requested_at, "status": lambda r: r.status}.get(name)


def ordered(requests: list[lc.ResourceRequest], sorts: list[str]) -> list[lc.ResourceRequest]:
    """Last modified first by default; each `property(,asc|desc)` given sorts on top of that."""
    result = sorted(requests, key=lambda r: (r.modified_at, r.seq), reverse=True)
    keys = []
    for value in sorts:
        tokens = [t.strip() for t in value.split(",") if t.strip()]
        descending = bool(tokens) and tokens[-1].lower() == "desc"
        if tokens and tokens[-1].lower() in ("asc", "desc"):
            tokens = tokens[:-1]
        keys.extend((name, descending) for name in tokens if _sort_key(name))
    for name, descending in reversed(keys):  # stable sorts, the first criterion applied last
        result.sort(key=_sort_key(name), reverse=descending)
    return result


def paging(total: int, page: int, size: int) -> dict:
    return {"page": page, "size": size, "totalPages": math.ceil(total / size), "totalResults": total}


# ---- owned resources -----------------------------------------------------------------------------


def _number_type_view(number_type: str) -> str:
    # The resources API knows only VIRTUAL_LONG_NUMBER and SHORT_CODE: 10DLC and toll-free are long numbers.
    return "SHORT_CODE" if number_type == "SHORT_CODE" else "VIRTUAL_LONG_NUMBER"


def _channels(record: dict) -> list[str]:
    if record["resourceType"] == "ALPHANUMERIC":
        return ["SMS"]
    if record["resourceType"] == "RCS_RESOURCE":
        return ["RCS"]
    return [c for c in ("SMS", "MMS") if c in record["capabilities"]]


def resource_view(record: dict) -> dict:
    country = record["countryCode"]
    if record["resourceType"] == "NUMBER":
        return {
            "number": record["number"],
            "numberKey": record["numberKey"],
            "platform": dict(record["platform"]),
            "numberType": _number_type_view(record["numberType"]),
            "countryCode": country,
            "countryName": country_name(country),
            "capabilities": _channels(record),
            "resourceType": "NUMBER",
        }
    return {
        "senderName": record["senderName"],
        "countryCode": country,
        "countryName": country_name(country),
        "capabilities": _channels(record),
        "resourceType": record["resourceType"],
    }


def coverage_view(record: dict) -> dict:
    networks = [{"mccNnc": code, "networkName": name} for code, name in NETWORKS.get(record["countryCode"], ())]
    inbound = record["resourceType"] != "ALPHANUMERIC"  # one cannot reply to an alphanumeric sender
    view = resource_view(record)
    view["capabilities"] = [
        {"channel": channel, "coverage": {"outbound": networks, "inbound": inbound}} for channel in _channels(record)
    ]
    return view


def number_record(inventory_record: dict) -> dict:
    """An owned number of the numbers part, as an owned-resource record."""
    platform = {"applicationId": inventory_record.get("applicationId") or "default"}
    if inventory_record.get("entityId"):
        platform["entityId"] = inventory_record["entityId"]
    return {
        "resourceType": "NUMBER",
        "number": inventory_record["number"],
        "numberKey": inventory_record["numberKey"],
        "countryCode": inventory_record.get("country", ""),
        "numberType": inventory_record.get("type", ""),
        "capabilities": list(inventory_record.get("capabilities") or []),
        "platform": platform,
    }


def _matches(record: dict, filters: dict) -> bool:
    for name in ("countryCode", "senderName", "number", "numberKey"):
        wanted = filters.get(name)
        if wanted is not None and str(record.get(name, "")).lstrip("+").upper() != str(wanted).lstrip("+").upper():
            return False
    for name in ("applicationId", "entityId"):
        wanted = filters.get(name)
        if wanted is not None and record["platform"].get(name) != wanted:
            return False
    return True


# ---- reviewer decisions: admin bodies to Lifecycle arguments, or what is wrong with them --------


def parse_changes(body: dict) -> dict | str:
    items = body.get("feedback")
    usage = f'expected {{"feedback": [{{"key", "code": one of {list(FEEDBACK_CODES)}, "feedback"}}], "internal": bool}}'
    if (
        not isinstance(items, list)
        or not items
        or not all(
            isinstance(item, dict)
            and isinstance(item.get("key"), str)
            and item.get("code") in FEEDBACK_CODES
            and isinstance(item.get("feedback"), str)
            for item in items
        )
    ):
        return usage
    feedback = [{"key": item["key"], "code": item["code"], "feedback": item["feedback"]} for item in items]
    return {"feedback": feedback, "internal": bool(body.get("internal"))}


def requirement_set_key(body: dict) -> tuple[str, str, str | None]:
    """Which requirement set a (structurally valid) body asks about: type, country, number type."""
    number_type = body.get("numberType") if body["type"] == "NUMBER_PURCHASE" else None
    return body["type"], body["countryCode"].upper(), number_type


def parse_requirement_set(body: dict) -> tuple[tuple[str, str, str | None], list[dict]] | str:
    """A changed requirement set for PUT /_sandbox/requirements, or what is wrong with it."""
    wanted = 'expected {"type", "countryCode", "numberType"? (NUMBER_PURCHASE), "requirements": [{key, type, …}]}'
    kind, country, specs = body.get("type"), body.get("countryCode"), body.get("requirements")
    if kind not in REQUEST_TYPES or not isinstance(country, str) or len(country) != 2:
        return wanted
    if kind == "NUMBER_PURCHASE" and body.get("numberType") not in NUMBER_TYPES:
        return wanted
    if not isinstance(specs, list) or not all(
        isinstance(s, dict) and isinstance(s.get("key"), str) and isinstance(s.get("type"), str) for s in specs
    ):
        return wanted
    return requirement_set_key(body), copy.deepcopy(specs)


def parse_rejection(body: dict) -> dict | str:
    note = body.get("note")
    if not isinstance(note, str) or not note.strip():
        return 'expected {"note": "why the request is rejected"}'
    return {"note": note}


def parse_completion(body: dict) -> dict | str:
    note, procured = body.get("note"), body.get("procured")
    if (note is not None and not isinstance(note, str)) or (
        procured is not None and (not isinstance(procured, int) or isinstance(procured, bool) or procured < 0)
    ):
        return 'expected {"note": str?, "procured": int >= 0?}'
    return {"note": note, "procured": procured}


# ---- the part -------------------------------------------------------------------------------------


class ResourceRequestsPart:
    def __init__(self, sandbox: InfobipSandbox) -> None:
        self.sandbox = sandbox
        self.documents = DocumentStore(self._document_id, sandbox.clock.now)
        self.documents.add(
            TEMPLATE_FILENAME,
            template_pdf(
                "Alphanumeric sender registration form",
                ["Company name:", "Company address:", "VAT number:", "Sender name:", "Signature and date:"],
            ),
            template=True,
            document_id=TEMPLATE_DOCUMENT_ID,
        )
        self.outbox = WebhookOutbox(sandbox.config)
        self.lifecycle = lc.Lifecycle(
            sandbox.clock,
            lambda: sandbox.config.review,
            notify_status=self._notify_status,
            notify_reminder=self._notify_reminder,
            fulfil=self._fulfil,
        )
        self.senders: list[dict] = []  # completed alphanumeric and RCS requests
        # Requirement sets changed at runtime (PUT /_sandbox/requirements): (type, country, number type) -> set.
        self.changed_requirements: dict[tuple[str, str, str | None], list[dict]] = {}
        self.made_up_numbers: list[dict] = []  # numbers procured while the numbers part has no inventory

    # -- ids, notifications, fulfilment

    def _request_id(self) -> str:
        return str(uuid.UUID(int=self.sandbox.random.getrandbits(128), version=4))

    def _document_id(self) -> str:
        return f"{self.sandbox.random.getrandbits(512):0128X}"

    def _notify_status(self, request: lc.ResourceRequest) -> None:
        self.outbox.send(request.id, status_change_body(request, self.sandbox.clock.now()))

    def _notify_reminder(self, request: lc.ResourceRequest, days_until_rejection: int) -> None:
        self.outbox.send(request.id, reminder_body(request, days_until_rejection))

    def _procure(self, request: lc.ResourceRequest, count: int) -> list[dict]:
        details, platform = request.details, request.platform_view()
        procure = getattr(self.sandbox.numbers, "procure", None)
        if procure is not None:
            location = {
                item["key"]: str(item["value"])
                for item in request.requirements
                if item["key"] in ("state", "npa", "nxx")
            }
            return procure(
                request.country_code,
                details["numberType"],
                list(details["capabilities"]),
                count,
                platform.get("applicationId"),
                platform.get("entityId"),
                location,
            )
        # Without the numbers inventory, make numbers up in the country's format.
        rng = self.sandbox.random
        prefix = str(phonenumbers.country_code_for_region(request.country_code) or 1)
        national_digits = 10 if prefix == "1" else 9
        return [
            {
                "number": prefix + "".join(str(rng.randrange(10)) for _ in range(national_digits)),
                "numberKey": f"{rng.getrandbits(128):032X}",
            }
            for _ in range(count)
        ]

    def _fulfil(self, request: lc.ResourceRequest, limit: int | None) -> str | None:
        """Procure the numbers or register the sender; the note for a partial completion."""
        platform = request.platform_view()
        if request.type != "NUMBER_PURCHASE":
            kind = "ALPHANUMERIC" if request.type == "ALPHANUMERIC_REGISTRATION" else "RCS_RESOURCE"
            self.senders.append(
                {
                    "resourceType": kind,
                    "senderName": request.details["senderName"],
                    "countryCode": request.country_code,
                    "platform": platform,
                }
            )
            return None
        wanted = request.details["quantity"]
        count = wanted if limit is None else max(0, min(limit, wanted))
        procured = self._procure(request, count) if count else []
        request.numbers = [{"number": n["number"], "numberKey": n["numberKey"], "status": "SUCCESS"} for n in procured]
        if not hasattr(self.sandbox.numbers, "procure"):
            self.made_up_numbers.extend(
                {
                    "resourceType": "NUMBER",
                    "number": n["number"],
                    "numberKey": n["numberKey"],
                    "countryCode": request.country_code,
                    "numberType": request.details["numberType"],
                    "capabilities": list(request.details["capabilities"]),
                    "platform": platform,
                }
                for n in procured
            )
        if len(procured) < wanted:
            return f"Only {len(procured)} out of {wanted} requested numbers could be procured."
        return None

    def requirements_for(self, body: dict) -> list[dict] | Problem:
        """The set a lookup or submit body asks about: a changed one, else the catalog's."""
        changed = self.changed_requirements.get(requirement_set_key(body))
        return copy.deepcopy(changed) if changed is not None else requirements_for(body)

    def owned(self) -> list[dict]:
        """Every resource the account owns: senders from completed requests, and its numbers."""
        inventory = getattr(self.sandbox.numbers, "owned", None)
        if not isinstance(inventory, dict):
            return self.senders + self.made_up_numbers
        # The numbers part owns the truth about numbers: bought by request or directly, or cancelled.
        return self.senders + [number_record(r) for r in inventory.values()]

    # -- routes

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/resources/1/requirements-lookup", self.lookup, methods=["POST"]),
            Route("/resources/1/coverage-lookup", self.coverage, methods=["POST"]),
            Route("/resources/1/resources", self.search_resources, methods=["POST"]),
            *document_routes(self.documents),
            Route("/resources/1/requests", self.submit, methods=["POST"]),
            Route("/resources/1/requests", self.list_requests, methods=["GET"]),
            Route("/resources/1/requests/{id}", self.get_request, methods=["GET"]),
            Route("/resources/1/requests/{id}", self.update, methods=["PATCH"]),
            Route("/resources/1/requests/{id}/cancel", self.cancel, methods=["POST"]),
        ]

    def admin_routes(self) -> list[BaseRoute]:
        return [
            Route("/resource-requests", self.admin_list, methods=["GET"]),
            Route("/resource-requests/{id}", self.admin_get, methods=["GET"]),
            Route("/resource-requests/{id}/advance", self.admin_advance, methods=["POST"]),
            Route("/resource-requests/{id}/request-changes", self.admin_request_changes, methods=["POST"]),
            Route("/resource-requests/{id}/reject", self.admin_reject, methods=["POST"]),
            Route("/resource-requests/{id}/complete", self.admin_complete, methods=["POST"]),
            Route("/requirements", self.admin_change_requirements, methods=["PUT"]),
            Route("/requirements", self.admin_restore_requirements, methods=["DELETE"]),
            Route("/clock/advance", self.admin_advance_clock, methods=["POST"]),
            Route("/webhooks", self.admin_outbox, methods=["GET"]),
            Route("/webhooks/drain", self.admin_drain, methods=["POST"]),
        ]

    async def run(self) -> None:
        await asyncio.gather(self.outbox.run(), self._drive())

    async def _drive(self) -> None:
        step = self.sandbox.config.lifecycle_step
        if step is None:
            return  # tests and the demo move requests through the admin routes
        interval = min(max(step / 4, 0.05), 1.0)
        while True:
            await asyncio.sleep(interval)
            try:
                self.lifecycle.tick(step)
            except Exception:  # noqa: BLE001 - one bad request must not stop every other one
                log.exception("resource request lifecycle tick failed")

    # -- lookups

    async def lookup(self, request: Request) -> Response:
        found = await body_and_requirements(request, lookup_violations, self.requirements_for)
        if isinstance(found, Response):
            return found
        _, specs = found
        return JSONResponse({"requirements": specs})

    async def coverage(self, request: Request) -> Response:
        body = await resource_query(request)
        if isinstance(body, Response):
            return body
        kind = body["resourceType"]
        needed = ("number",) if kind == "NUMBER" else ("senderName", "countryCode")
        for name in needed:
            if not isinstance(body.get(name), str) or not body[name].strip():
                return legacy_bad_request(name, "must not be blank")
        found = [r for r in self.owned() if r["resourceType"] == kind and _matches(r, body)]
        if not found:
            return Response(status_code=404)  # the contract gives this 404 no body
        return JSONResponse(coverage_view(found[0]))

    async def search_resources(self, request: Request) -> Response:
        body = await resource_query(request)
        if isinstance(body, Response):
            return body
        kind = body["resourceType"]
        page, size = query_int(request, "page"), query_int(request, "size")
        if page is not None and page < 0:
            return legacy_bad_request("page", "must be greater than or equal to 0")
        if size is not None and size < 1:
            return legacy_bad_request("size", "must be greater than or equal to 1")
        found = [resource_view(r) for r in self.owned() if r["resourceType"] == kind and _matches(r, body)]
        if page is None and size is None:
            # No pagination asked for: the whole result set, as one page.
            return JSONResponse({"results": found, "paging": paging(len(found), 0, max(1, len(found)))})
        page, size = page or 0, size or DEFAULT_PAGE_SIZE
        return JSONResponse(
            {"results": found[page * size : (page + 1) * size], "paging": paging(len(found), page, size)}
        )

    # -- requests

    def _find(self, request: Request) -> lc.ResourceRequest | None:
        return self.lifecycle.requests.get(request.path_params["id"])

    def _editable(self, request: Request) -> lc.ResourceRequest | Problem:
        """The request to update or cancel, or why it cannot be."""
        found = self._find(request)
        if found is None:
            return REQUEST_NOT_FOUND
        return found if found.status in lc.EDITABLE else INVALID_STATUS

    def _submit_problem(self, body: dict, filled: list[dict]) -> Problem | None:
        """Infobip's own refusals of a well-formed request."""
        country = body["countryCode"].upper()
        if body["type"] == "NUMBER_PURCHASE" and body["numberType"] == "TEN_DIGIT_LONG_CODE":
            return ten_dlc_problem(filled)
        if body["type"] == "ALPHANUMERIC_REGISTRATION":
            name = body["senderName"].lower()
            if any(
                r["resourceType"] == "ALPHANUMERIC" and r["senderName"].lower() == name and r["countryCode"] == country
                for r in self.senders
            ):
                return SENDER_EXISTS
            pending = [
                r
                for r in self.lifecycle.requests.values()
                if r.type == "ALPHANUMERIC_REGISTRATION" and r.status not in lc.FINAL
            ]
            if len(pending) >= self.sandbox.config.pending_sender_limit:
                return SENDER_LIMIT
        if body["type"] == "RCS_SENDER_LAUNCH":
            return self._rcs_problem(body, country, filled)
        return None

    def _rcs_problem(self, body: dict, country: str, filled: list[dict]) -> Problem | None:
        """An RCS sender is launched once, in one country, excluding only carriers of that country."""
        carriers = {name.lower() for _, name in NETWORKS.get(country, ())}
        if any(c.strip().lower() not in carriers for c in body.get("excludedCarriers") or []):
            return RCS_INVALID_CARRIERS
        name = body["senderName"].strip().lower()
        if any(r["resourceType"] == "RCS_RESOURCE" and r["senderName"].strip().lower() == name for r in self.senders):
            return RCS_ALREADY_LAUNCHED
        if any(
            r.type == "RCS_SENDER_LAUNCH"
            and r.status not in lc.FINAL
            and r.details["senderName"].strip().lower() == name
            for r in self.lifecycle.requests.values()
        ):
            return RCS_ALREADY_REQUESTED
        return rcs_problem(filled)

    async def submit(self, request: Request) -> Response:
        found = await body_and_requirements(request, submit_violations, self.requirements_for)
        if isinstance(found, Response):
            return found
        body, specs = found
        filled = [{"key": item["key"], "value": item["value"]} for item in body.get("requirements") or []]
        violations = filled_violations(filled, specs, self.documents.is_uploaded)
        if violations:
            return bad_request(violations)
        problem = self._submit_problem(body, filled)
        if problem:
            return problem_response(problem)
        kind = body["type"]
        if kind == "ALPHANUMERIC_REGISTRATION":
            details = {k: body[k] for k in ("senderName", "trafficOrigin", "trafficType") if body.get(k) is not None}
        elif kind == "NUMBER_PURCHASE":
            details = {
                "numberType": body["numberType"],
                "capabilities": list(body["capabilities"]),
                "quantity": body.get("quantity") or 1,
            }
            if body.get("clientType"):
                details["clientType"] = body["clientType"]
        else:
            details = {
                "senderName": body["senderName"],
                "trafficOrigin": body["trafficOrigin"],
                "excludedCarriers": list(body.get("excludedCarriers") or []),
            }
        now = self.sandbox.clock.now()
        platform = {k: v for k, v in (body.get("platform") or {}).items() if k in ("applicationId", "entityId") and v}
        resource_request = lc.ResourceRequest(
            id=self._request_id(),
            type=kind,
            country_code=body["countryCode"].upper(),
            details=details,
            contact_emails=list(body.get("additionalContactEmails") or []),
            requirements=filled,
            specs=specs,
            platform=platform or None,
            requested_at=now,
            status="",
            status_since=now,
            modified_at=now,
        )
        self.lifecycle.start(resource_request)
        return JSONResponse({"id": resource_request.id}, status_code=201)

    async def list_requests(self, request: Request) -> Response:
        countries = {c.upper() for c in query_values(request, "countryCode")}
        statuses = set(query_values(request, "status"))
        types = set(query_values(request, "type"))
        found = [
            r
            for r in self.lifecycle.requests.values()
            if (not countries or r.country_code in countries)
            and (not statuses or r.status in statuses)
            and (not types or r.type in types)
        ]
        found = ordered(found, request.query_params.getlist("sort"))
        # The contract gives this operation no 400: out-of-range paging is brought into range.
        page = max(0, query_int(request, "page") or 0)
        size = query_int(request, "size") or DEFAULT_PAGE_SIZE
        size = DEFAULT_PAGE_SIZE if size < 1 else min(size, MAX_PAGE_SIZE)
        results = [render(r) for r in found[page * size : (page + 1) * size]]
        return JSONResponse({"results": results, "paging": paging(len(found), page, size)})

    async def get_request(self, request: Request) -> Response:
        found = self._find(request)
        if found is None:
            return problem_response(REQUEST_NOT_FOUND)
        return JSONResponse(render(found))

    async def update(self, request: Request) -> Response:
        found = self._editable(request)
        if isinstance(found, Problem):
            return problem_response(found)
        body = await checked_body(request, update_violations)
        if isinstance(body, Response):
            return body
        filled = [{"key": item["key"], "value": item["value"]} for item in body["requirements"]]
        violations = filled_violations(filled, found.specs, self.documents.is_uploaded)
        if violations:
            return bad_request(violations)
        if found.type == "NUMBER_PURCHASE" and found.details["numberType"] == "TEN_DIGIT_LONG_CODE":
            problem = ten_dlc_problem(filled)
            if problem:
                return problem_response(problem)
        if found.type == "RCS_SENDER_LAUNCH" and (problem := rcs_problem(filled)):
            return problem_response(problem)
        # Everything is replaced: a requirement left out counts as not given.
        self.lifecycle.update(found, filled)
        return JSONResponse(render(found))

    async def cancel(self, request: Request) -> Response:
        found = self._editable(request)
        if isinstance(found, Problem):
            return problem_response(found)
        self.lifecycle.cancel(found)
        return Response(status_code=204)

    # -- admin

    async def _admin_body(self, request: Request) -> dict | None:
        raw = await request.body()
        if not raw.strip():
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    async def admin_list(self, request: Request) -> Response:
        ordered_requests = sorted(self.lifecycle.requests.values(), key=lambda r: r.seq)
        return JSONResponse({"requests": [internal_state(r) for r in ordered_requests]})

    async def admin_get(self, request: Request) -> Response:
        found = self._find(request)
        if found is None:
            return admin_error(404, "no such resource request")
        return JSONResponse(internal_state(found))

    async def admin_advance(self, request: Request) -> Response:
        found = self._find(request)
        if found is None:
            return admin_error(404, "no such resource request")
        if not self.lifecycle.step(found, by_reviewer=True):
            return admin_error(409, f"{found.status}: the request waits for its requester or is final")
        return JSONResponse(internal_state(found))

    async def _decide(
        self, request: Request, parse: Callable[[dict], dict | str], act: Callable[..., None]
    ) -> Response:
        """A reviewer's decision on a request that is not final: read the body, act, show the result."""
        found = self._find(request)
        if found is None:
            return admin_error(404, "no such resource request")
        body = await self._admin_body(request)
        parsed = parse(body) if body is not None else "expected a JSON object"
        if isinstance(parsed, str):
            return admin_error(400, parsed)
        if found.status in lc.FINAL:
            return admin_error(409, f"{found.status} is final")
        act(found, **parsed)
        return JSONResponse(internal_state(found))

    async def admin_request_changes(self, request: Request) -> Response:
        return await self._decide(request, parse_changes, self.lifecycle.request_changes)

    async def admin_reject(self, request: Request) -> Response:
        return await self._decide(request, parse_rejection, self.lifecycle.reject)

    async def admin_complete(self, request: Request) -> Response:
        return await self._decide(request, parse_completion, self.lifecycle.complete)

    async def admin_change_requirements(self, request: Request) -> Response:
        body = await self._admin_body(request)
        parsed = parse_requirement_set(body) if body is not None else "expected a JSON object"
        if isinstance(parsed, str):
            return admin_error(400, parsed)
        key, specs = parsed
        self.changed_requirements[key] = specs
        return JSONResponse({"requirements": specs})

    async def admin_restore_requirements(self, request: Request) -> Response:
        self.changed_requirements.clear()
        return Response(status_code=204)

    async def admin_advance_clock(self, request: Request) -> Response:
        body = await self._admin_body(request)
        units = ("days", "hours", "seconds")
        if (
            body is None
            or not any(k in body for k in units)
            or not all(isinstance(body.get(k, 0), (int, float)) and body.get(k, 0) >= 0 for k in units)
        ):
            return admin_error(400, 'expected {"days": N, "hours": N?, "seconds": N?}, none negative')
        self.sandbox.clock.advance(timedelta(**{k: body.get(k, 0) for k in units}))
        self.lifecycle.run_timers()
        return JSONResponse({"now": infobip_timestamp(self.sandbox.clock.now())})

    async def admin_outbox(self, request: Request) -> Response:
        return JSONResponse(self.outbox.state())

    async def admin_drain(self, request: Request) -> Response:
        body = await self._admin_body(request)
        timeout = (body or {}).get("timeout", 10)
        if body is None or not isinstance(timeout, (int, float)) or timeout < 0:
            return admin_error(400, 'expected {"timeout": seconds?}')
        drained = await self.outbox.drained(float(timeout))
        return JSONResponse(self.outbox.state(), status_code=200 if drained else 504)
