"""Sandbox part: inbound message configurations (keywords) per resource.

Infobip paths (error body: whatever `uses_legacy_errors` says for the path):
  GET    /resource-management/1/inbound-message-configurations?channel=…   filters: configurationKey,
         number, numberKey, resource, resourceKey, keyword, countryCode -> [configuration] (no paging
         in the contract); 404 when the number asked for is not owned
  POST   /resource-management/1/inbound-message-configurations             create or update -> 200
  DELETE /resource-management/1/inbound-message-configurations/{configurationKey}   204, 404

What a configuration is attached to: for SMS and MMS an owned number (`numberKey` or `number`);
for other channels a `resource`/`resourceKey`, taken as given. The published contract cuts the
per-channel bodies away, so these target fields follow the GET filters. A POST updates the
configuration named by `configurationKey`, or the one with the same target and keyword, else it
creates one. `unset` clears options first, then the body's options apply. A null keyword matches
every message to the number.

Routing (why the data is kept): an inbound message goes to the application/entity of the
configuration it matches when that configuration sets `platform`; otherwise to the number's own
application/entity.

Admin (under /_sandbox):
  GET /inbound/route?numberKey=…&text=…   where an inbound SMS would be routed -> {applicationId,
                                          entityId?, source: configuration|number, configurationKey?}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.sandbox.infobip.web import Problem, answers, bad_request, json_body, no_content

if TYPE_CHECKING:
    from bot.sandbox.infobip.sandbox import InfobipSandbox

CHANNELS = {
    "SMS",
    "MMS",
    "WHATSAPP",
    "RCS",
    "VIBER_BM",
    "APPLE_MB",
    "LINE_OA",
    "KAKAO_SANGDAM",
    "MESSENGER",
    "INSTAGRAM_DM",
    "ZALO_ZNS",
    "TELEGRAM",
    "VIBER_BOT",
    "EMAIL",
    "ZALO_FOLLOWER",
    "OPEN_CHANNEL",
    "TIKTOK_BM",
}
NUMBER_CHANNELS = {"SMS", "MMS"}
# Options a configuration carries, with the `unset` name that clears each.
OPTIONS = {
    "username": "USERNAME",
    "platform": "PLATFORM",
    "forwarding": "FORWARDING",
    "conversations": "CONVERSATIONS",
    "answers": "ANSWERS",
    "autoResponse": "AUTORESPONSE",
    "blockListConfiguration": "BLOCKLISTCONFIGURATION",
}
TARGET_FIELDS = ("numberKey", "resource", "resourceKey", "countryCode")


def _same_keyword(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.casefold() == b.casefold()


class InboundPart:
    def __init__(self, sandbox: InfobipSandbox) -> None:
        self.sandbox = sandbox
        self.configurations: dict[str, dict] = {}  # configurationKey -> stored configuration

    # -- used by the other parts -------------------------------------------------------------

    def keywords_for(self, number_key: str) -> list[str]:
        return sorted(
            c["keyword"]
            for c in self.configurations.values()
            if c.get("numberKey") == number_key and c["keyword"] is not None
        )

    def forget_number(self, number_key: str) -> None:
        self.configurations = {k: c for k, c in self.configurations.items() if c.get("numberKey") != number_key}

    def route(self, number_key: str, text: str, channel: str = "SMS") -> dict:
        """Where an inbound message would go: configuration-level platform wins over number-level."""
        number = self.sandbox.numbers.owned_number(number_key)
        if number is None:
            raise Problem(404, "Number not found.")
        config = self._matching(number_key, channel, (text.split() or [""])[0])
        platform = (config or {}).get("platform") or {}
        if platform.get("applicationId") or platform.get("entityId"):
            routed = {**platform, "source": "configuration", "configurationKey": config["configurationKey"]}
        else:
            routed = {
                "applicationId": number.get("applicationId"),
                "entityId": number.get("entityId"),
                "source": "number",
            }
        return {key: value for key, value in routed.items() if value is not None}

    def _matching(self, number_key: str, channel: str, first_word: str) -> dict | None:
        """The configuration a message matches: its keyword's, else the number's catch-all (null keyword)."""
        candidates = [
            c for c in self.configurations.values() if c.get("numberKey") == number_key and c["channel"] == channel
        ]
        for config in candidates:
            if config["keyword"] is not None and _same_keyword(config["keyword"], first_word):
                return config
        return next((c for c in candidates if c["keyword"] is None), None)

    # -- Infobip routes ----------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        base = "/resource-management/1/inbound-message-configurations"
        return [
            Route(base, answers(self.list_configurations), methods=["GET"]),
            Route(base, answers(self.manage), methods=["POST"]),
            Route(base + "/{configurationKey}", answers(self.delete), methods=["DELETE"]),
        ]

    def _number_key(self, number_key: str | None, number: str | None) -> str | None:
        """The owned number a request names (by key or digits), None if it names none; 404 if unknown."""
        if not number_key and not number:
            return None
        numbers = self.sandbox.numbers
        record = numbers.owned_number(number_key) if number_key else numbers.owned_by_number(number)
        if record is None:
            raise Problem(404, "Number not found.")
        return record["numberKey"]

    async def list_configurations(self, request: Request) -> Response:
        params = request.query_params
        channel = params.get("channel")
        if channel not in CHANNELS:
            raise bad_request("channel", f"must be one of {sorted(CHANNELS)}")
        wanted = {
            "channel": channel,
            "configurationKey": params.get("configurationKey"),
            "numberKey": self._number_key(params.get("numberKey"), params.get("number")),
            "resource": params.get("resource"),
            "resourceKey": params.get("resourceKey"),
            "countryCode": params.get("countryCode"),
        }
        found = [
            c
            for c in self.configurations.values()
            if all(value is None or c.get(field) == value for field, value in wanted.items())
        ]
        if "keyword" in params:
            found = [c for c in found if _same_keyword(c["keyword"], params["keyword"] or None)]
        return JSONResponse([self._view(c) for c in found])

    async def manage(self, request: Request) -> Response:
        body = await json_body(request)
        channel = body.get("channel")
        if channel not in CHANNELS:
            raise bad_request("channel", f"must be one of {sorted(CHANNELS)}")
        keyword = body.get("keyword") or None
        if keyword is not None and (not isinstance(keyword, str) or len(keyword) > 50):
            raise bad_request("keyword", "size must be between 0 and 50")
        unset = [self._option_named(name) for name in body.get("unset") or []]
        forwarding = body.get("forwarding")
        if forwarding is not None and (not isinstance(forwarding, dict) or not forwarding.get("type")):
            raise bad_request("forwarding.type", "must not be null")
        config = self._existing(body, channel, keyword) or self._create(body, channel, keyword)
        for option in unset:
            config.pop(option, None)
        for option in OPTIONS:
            if body.get(option) is not None:
                config[option] = body[option]
        return JSONResponse(self._view(config))

    @staticmethod
    def _option_named(unset_name: str) -> str:
        for option, name in OPTIONS.items():
            if name == unset_name:
                return option
        raise bad_request("unset", f"must be any of {sorted(OPTIONS.values())}")

    def _existing(self, body: dict, channel: str, keyword: str | None) -> dict | None:
        if key := body.get("configurationKey"):
            config = self.configurations.get(key)
            if config is None or config["channel"] != channel:
                raise Problem(404, "Configuration not found.")
            config["keyword"] = keyword
            return config
        target = self._target(body, channel)
        return next(
            (
                c
                for c in self.configurations.values()
                if c["channel"] == channel
                and all(c.get(f) == target.get(f) for f in TARGET_FIELDS)
                and _same_keyword(c["keyword"], keyword)
            ),
            None,
        )

    def _target(self, body: dict, channel: str) -> dict:
        if channel in NUMBER_CHANNELS:
            number_key = self._number_key(body.get("numberKey"), body.get("number"))
            if number_key is None:
                raise bad_request("numberKey", "a number (numberKey or number) is required for this channel")
            return {"numberKey": number_key, "countryCode": body.get("countryCode")}
        if not body.get("resource") and not body.get("resourceKey"):
            raise bad_request("resource", "a resource (resource or resourceKey) is required for this channel")
        return {
            "resource": body.get("resource"),
            "resourceKey": body.get("resourceKey"),
            "countryCode": body.get("countryCode"),
        }

    def _create(self, body: dict, channel: str, keyword: str | None) -> dict:
        key = f"{self.sandbox.random.getrandbits(128):032X}"
        config = {"configurationKey": key, "channel": channel, "keyword": keyword, **self._target(body, channel)}
        self.configurations[key] = config
        return config

    @staticmethod
    def _view(config: dict) -> dict:
        # The response schema has no target fields: they stay inside the sandbox.
        shown = ("configurationKey", "channel", "keyword", *OPTIONS)
        return {field: config[field] for field in shown if config.get(field) is not None}

    async def delete(self, request: Request) -> Response:
        if self.configurations.pop(request.path_params["configurationKey"], None) is None:
            raise Problem(404, "Configuration not found.")
        return no_content()

    # -- admin -------------------------------------------------------------------------------

    def admin_routes(self) -> list[BaseRoute]:
        @answers
        async def route(request: Request) -> Response:
            params = request.query_params
            return JSONResponse(
                self.route(params.get("numberKey", ""), params.get("text", ""), params.get("channel", "SMS"))
            )

        return [Route("/inbound/route", route, methods=["GET"])]

    async def run(self) -> None:
        return None
