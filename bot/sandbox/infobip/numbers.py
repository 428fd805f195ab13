"""Sandbox part: the numbers inventory: available numbers with prices, purchase, owned numbers, update, cancel.

Infobip paths (legacy error body):
  GET    /numbers/1/numbers/available   search the stock: capabilities, country, state, npa, nxx,
                                        number (digits it contains), page + limit -> {numbers, numberCount}
  POST   /numbers/1/numbers             buy: {numberKey} outside the US, {number} in the US (the
                                        contract says so), optional applicationId/entityId -> 200 number
  GET    /numbers/1/numbers             owned numbers: number, page + limit
  GET    /numbers/1/numbers/{numberKey} one owned number
  PUT    /numbers/1/numbers/{numberKey} set its applicationId (required) and entityId
  DELETE /numbers/1/numbers/{numberKey} cancel: 204, the number is for sale again

Admin (under /_sandbox):
  POST /numbers/reset   restock from the seed and forget every owned number -> 204
  GET  /numbers/owned   every owned number -> {numbers, numberCount}
  GET  /numbers/stock   how many numbers are for sale per country and kind -> {stock: [...]}

Python, for the resource-request lifecycle: `procure(...)` moves numbers from stock to owned when
a NUMBER_PURCHASE request completes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.sandbox.infobip import numbers_inventory as inventory
from bot.sandbox.infobip.web import Problem, answers, bad_request, json_body, no_content, query_int, query_list

if TYPE_CHECKING:
    from bot.sandbox.infobip.sandbox import InfobipSandbox

CAPABILITIES = {"SMS", "VOICE", "MMS", "WHATSAPP", "WHATSAPP_VOICE"}
DEFAULT_APPLICATION = "default"


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _by_country_and_number(records: Iterable[dict]) -> list[dict]:
    return sorted(records, key=lambda r: (r["country"], r["number"]))


class NumbersPart:
    def __init__(self, sandbox: InfobipSandbox) -> None:
        self.sandbox = sandbox
        # Drawn once, so a reset restocks exactly the same numbers.
        self._seed = sandbox.random.getrandbits(64)
        self.available: dict[str, dict] = {}
        self.owned: dict[str, dict] = {}
        self.reset()

    def reset(self) -> None:
        self.available = {record["numberKey"]: record for record in inventory.generate(self._seed)}
        self.owned = {}

    # -- used by the other parts -------------------------------------------------------------

    def owned_number(self, number_key: str) -> dict | None:
        return self.owned.get(number_key)

    def owned_by_number(self, number: str) -> dict | None:
        digits = _digits(number)
        return next((r for r in self.owned.values() if r["number"] == digits), None)

    def view(self, record: dict) -> dict:
        """A number as the Numbers API returns it. A number on offer is priced with what its first
        month costs if bought today (prorated); an owned number, as the contract's examples of the
        owned-number answers show it (purchase, list, get, update), with its monthly and setup
        prices only: its first month is behind it."""
        body = inventory.public(record)
        price = record["price"]
        body["price"] = {"pricePerMonth": price["pricePerMonth"], "setupPrice": price["setupPrice"]}
        if record["numberKey"] in self.owned:
            body["keywords"] = self.sandbox.inbound.keywords_for(record["numberKey"])
        else:
            body["price"]["initialMonthPrice"] = inventory.initial_month_price(
                price["pricePerMonth"], self.sandbox.clock.now()
            )
        body["price"]["currency"] = price["currency"]
        return body

    def relink(self, application_id: str | None = None, entity_id: str | None = None) -> None:
        """A deleted application or entity hands its numbers back to `default`, entity null."""
        for record in self.owned.values():
            if (application_id is not None and record.get("applicationId") == application_id) or (
                entity_id is not None and record.get("entityId") == entity_id
            ):
                record["applicationId"], record["entityId"] = DEFAULT_APPLICATION, None

    def matching_stock(
        self,
        country_code: str,
        number_type: str,
        capabilities: Iterable[str] = (),
        location: dict[str, str] | None = None,
    ) -> list[dict]:
        """Numbers on offer of that kind; `location` narrows US numbers by state, npa and nxx."""
        wanted = set(capabilities or ())
        location = location or {}
        return [
            r
            for r in _by_country_and_number(self.available.values())
            if r["country"] == country_code.upper()
            and inventory.matches_kind(r, number_type)
            and wanted <= set(r["capabilities"])
            and (not location.get("state") or inventory.matches_state(r, location["state"]))
            and all(not location.get(part) or str(r.get(f"_{part}")) == location[part] for part in ("npa", "nxx"))
        ]

    def procure(
        self,
        country_code: str,
        number_type: str,
        capabilities: Iterable[str] | None,
        quantity: int,
        application_id: str | None = None,
        entity_id: str | None = None,
        location: dict[str, str] | None = None,
    ) -> list[dict]:
        """Buy up to `quantity` matching numbers for a completed NUMBER_PURCHASE request.

        Returns `[{"number", "numberKey"}]`, shorter than `quantity` when stock runs out (the
        request then completes partially). `number_type` is a resource-request type:
        VIRTUAL_LONG_NUMBER, TEN_DIGIT_LONG_CODE, TOLL_FREE_NUMBER or SHORT_CODE; `location`
        holds a 10DLC request's state/npa/nxx requirements.
        """
        bought = []
        for record in self.matching_stock(country_code, number_type, capabilities or (), location)[: max(quantity, 0)]:
            self._take(record, application_id, entity_id)
            bought.append({"number": record["number"], "numberKey": record["numberKey"]})
        return bought

    def _take(self, record: dict, application_id: str | None, entity_id: str | None) -> dict:
        del self.available[record["numberKey"]]
        record.update(
            applicationId=application_id or DEFAULT_APPLICATION,
            entityId=entity_id,
            additionalSetupRequired=False,
            editPermissions={"canEditNumber": True, "canEditConfiguration": True},
        )
        self.owned[record["numberKey"]] = record
        return record

    def _give_back(self, record: dict) -> None:
        del self.owned[record["numberKey"]]
        for field in ("applicationId", "entityId", "additionalSetupRequired", "editPermissions"):
            record.pop(field, None)
        self.available[record["numberKey"]] = record
        # A cancelled number takes its associations and inbound configurations with it.
        self.sandbox.provisioning.forget_resource("NUMBER", record["numberKey"])
        self.sandbox.inbound.forget_number(record["numberKey"])

    # -- Infobip routes ----------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/numbers/1/numbers/available", answers(self.search_available), methods=["GET"]),
            Route("/numbers/1/numbers", answers(self.list_owned), methods=["GET"]),
            Route("/numbers/1/numbers", answers(self.purchase), methods=["POST"]),
            Route("/numbers/1/numbers/{numberKey}", answers(self.get_owned), methods=["GET"]),
            Route("/numbers/1/numbers/{numberKey}", answers(self.update_owned), methods=["PUT"]),
            Route("/numbers/1/numbers/{numberKey}", answers(self.cancel), methods=["DELETE"]),
        ]

    def _page(self, request: Request, records: list[dict], default_limit: int) -> JSONResponse:
        limit = query_int(request, "limit", default_limit, minimum=1, maximum=1000)
        page = query_int(request, "page", 0)
        chosen = records[page * limit : (page + 1) * limit]
        return JSONResponse({"numbers": [self.view(r) for r in chosen], "numberCount": len(records)})

    async def search_available(self, request: Request) -> Response:
        params = request.query_params
        capabilities = set(query_list(request, "capabilities"))
        if capabilities - CAPABILITIES:
            raise bad_request("capabilities", f"must be any of {sorted(CAPABILITIES)}")
        records = _by_country_and_number(self.available.values())
        records = [r for r in records if capabilities <= set(r["capabilities"])]
        if country := params.get("country"):
            records = [r for r in records if r["country"] == country.upper()]
        if state := params.get("state"):
            records = [r for r in records if inventory.matches_state(r, state)]
        for name in ("npa", "nxx"):
            if params.get(name):
                value = query_int(request, name, 0, minimum=0, maximum=999)
                records = [r for r in records if r.get(f"_{name}") == value]
        if fragment := _digits(params.get("number", "")):
            records = [r for r in records if fragment in r["number"]]
        return self._page(request, records, default_limit=10)

    async def list_owned(self, request: Request) -> Response:
        records = _by_country_and_number(self.owned.values())
        if fragment := _digits(request.query_params.get("number", "")):
            records = [r for r in records if fragment in r["number"]]
        return self._page(request, records, default_limit=50)

    async def purchase(self, request: Request) -> Response:
        body = await json_body(request)
        key, number = body.get("numberKey"), body.get("number")
        if bool(key) == bool(number):
            raise bad_request("numberKey", "give either numberKey or, for US numbers, number")
        if number:
            record = next((r for r in self.available.values() if r["number"] == _digits(str(number))), None)
        else:
            record = self.available.get(str(key))
        if record is None:
            raise Problem(404, "Number is not available for purchase.")
        if record["country"] == "US" and not number:
            raise bad_request("number", "US numbers are bought by number, not numberKey")
        if record["country"] != "US" and not key:
            raise bad_request("numberKey", "numbers outside the US are bought by numberKey")
        application_id, entity_id = self._checked_links(body, required=False)
        return JSONResponse(self.view(self._take(record, application_id, entity_id)))

    def _owned_or_404(self, request: Request) -> dict:
        record = self.owned.get(request.path_params["numberKey"])
        if record is None:
            raise Problem(404, "Number not found.")
        return record

    def _checked_links(self, body: dict, required: bool) -> tuple[str | None, str | None]:
        application_id, entity_id = body.get("applicationId") or None, body.get("entityId") or None
        if required and application_id is None:
            raise bad_request("applicationId", "must not be blank")
        provisioning = self.sandbox.provisioning
        if application_id is not None and not provisioning.has_application(application_id):
            raise bad_request("applicationId", f"application {application_id} does not exist")
        if entity_id is not None and not provisioning.has_entity(entity_id):
            raise bad_request("entityId", f"entity {entity_id} does not exist")
        return application_id, entity_id

    async def get_owned(self, request: Request) -> Response:
        return JSONResponse(self.view(self._owned_or_404(request)))

    async def update_owned(self, request: Request) -> Response:
        record = self._owned_or_404(request)
        application_id, entity_id = self._checked_links(await json_body(request), required=True)
        record.update(applicationId=application_id, entityId=entity_id)
        return JSONResponse(self.view(record))

    async def cancel(self, request: Request) -> Response:
        self._give_back(self._owned_or_404(request))
        return no_content()

    # -- admin -------------------------------------------------------------------------------

    def admin_routes(self) -> list[BaseRoute]:
        async def reset(request: Request) -> Response:
            self.reset()
            return no_content()

        async def owned(request: Request) -> Response:
            records = _by_country_and_number(self.owned.values())
            return JSONResponse({"numbers": [self.view(r) for r in records], "numberCount": len(records)})

        async def stock(request: Request) -> Response:
            counts = Counter((r["country"], r["_kind"]) for r in self.available.values())
            return JSONResponse(
                {"stock": [{"country": c, "numberType": k, "available": n} for (c, k), n in sorted(counts.items())]}
            )

        return [
            Route("/numbers/reset", reset, methods=["POST"]),
            Route("/numbers/owned", owned, methods=["GET"]),
            Route("/numbers/stock", stock, methods=["GET"]),
        ]

    async def run(self) -> None:
        return None
