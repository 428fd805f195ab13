"""Checks real HTTP exchanges with Infobip's published OpenAPI document (openapi-core).

Attach `ContractRecorder.hook` to an httpx client's response event hook: every request the
client sends and every response the server returns is validated against the contract, errors
included. Failures are collected and asserted by the test, so one run shows all of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from rfc3339_validator import validate_rfc3339
from werkzeug.datastructures import Headers, ImmutableMultiDict

from bot.providers.infobip.operations import match_operation

SPEC_PATH = Path(__file__).parent.parent / "contract" / "infobip-openapi.json"


@lru_cache(maxsize=1)
def infobip_contract() -> OpenAPI:
    """The contract as a validator can read it: Infobip's document with the corrections below."""
    return OpenAPI.from_dict(readable_spec(), config=Config(extra_format_validators={"date-time": _date_time}))


@lru_cache(maxsize=1)
def published_contract() -> OpenAPI:
    """The document as published (discriminators spelled out only): tests show each correction is needed."""
    return OpenAPI.from_dict(_raw_spec())


def _raw_spec() -> dict:
    return _with_discriminator_mappings(json.loads(SPEC_PATH.read_text()))


# Infobip's published document has flaws that make openapi-core reject exchanges the document
# itself gives as examples. `readable_spec()` corrects exactly these, and nothing else
# (the discriminator mappings below are correction 0):
#
# 1. `JsonNode` (a requirement's value) is typed `object`, though its description, and every
#    example, say "a string, integer, or a list of strings and integers": any JSON value.
# 2. Dates use Infobip's format, `2025-03-11T09:22:47.000+0000`, in the examples and on the wire,
#    but are declared `format: date-time` (RFC 3339 wants `+00:00`): accept both.
# 3. Owned-resource and coverage answers are a `oneOf` whose variants differ only by the value
#    of `resourceType`, which each variant types as the whole enum: every answer matches several
#    variants. Pin each variant to its own value.
# 4. Binary bodies are `type: string, format: binary`; openapi-core hands them over as bytes.
# 5. Errors declared under `*/*` are JSON, but openapi-core parses only a JSON media type.

INFOBIP_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?[+-]\d{4}$")
RESOURCE_TYPE_OF_VARIANT = {
    "Alpha": "ALPHANUMERIC",
    "Number": "NUMBER",
    "Rcs": "RCS_RESOURCE",
    "Viber": "VIBER_RESOURCE",
    "Apple": "APPLE_RESOURCE",
    "OpenChannel": "OPEN_CHANNEL_RESOURCE",
    "Kakao": "KAKAO_RESOURCE",
    "Facebook": "FACEBOOK_RESOURCE",
}


def _walk(node: object, visit: Callable[[dict], None]) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def readable_spec() -> dict:
    spec = _raw_spec()
    schemas = spec["components"]["schemas"]
    for name, schema in schemas.items():
        if name.endswith(".JsonNode"):
            schema.pop("type")  # 1
        if name.endswith((".IbResourceCoverageInfo", ".IbResourceInfo")):
            for variant in schema["oneOf"]:  # 3
                target = variant["$ref"].rsplit("/", 1)[-1]
                prefix = re.sub(r"(CoverageInfo|ResourceInfo)$", "", target.rsplit(".", 1)[-1])
                schemas[target]["properties"]["resourceType"] = {
                    "type": "string",
                    "enum": [RESOURCE_TYPE_OF_VARIANT[prefix]],
                }

    def binary_and_wildcards(node: dict) -> None:
        if node.get("type") == "string" and node.get("format") == "binary":
            del node["type"]  # 4
        content = node.get("content")
        if (
            isinstance(content, dict)
            and "*/*" in content
            and "application/json" not in content
            and "$ref" in content["*/*"].get("schema", {})
        ):
            content["application/json"] = content["*/*"]  # 5

    _walk(spec, binary_and_wildcards)
    return spec


def _date_time(value: object) -> bool:  # 2
    return not isinstance(value, str) or bool(INFOBIP_DATE.match(value)) or validate_rfc3339(value)


class _WebhookCall:
    """A webhook body seen through openapi-core's WebhookRequest protocol."""

    def __init__(self, name: str, body: dict) -> None:
        self.name = name
        self.method = "post"
        self.body = json.dumps(body).encode()
        self.content_type = "application/json"
        self.parameters = RequestParameters()


def webhook_problems(name: str, body: dict) -> list[str]:
    """Why a webhook body breaks the contract's `webhooks.<name>` (empty when it does not)."""
    return [str(error) for error in infobip_contract().iter_webhook_request_errors(_WebhookCall(name, body))]


STATUS_WEBHOOK = "resource-request-status-change-notification"
REMINDER_WEBHOOK = "resource-request-reminder-notification"


def _with_discriminator_mappings(spec: dict) -> dict:
    """Spell out the discriminator mappings the published document only implies.

    Its `oneOf` variants (e.g. the requirements-lookup bodies) carry a discriminator on `type`
    without a mapping, and their component names are hashes, so a validator's implicit lookup
    (`#/components/schemas/<type value>`) dangles. Each variant pins `type` to a one-value enum:
    map that value to the variant, which is what the document means.
    """
    schemas = spec["components"]["schemas"]
    for schema in schemas.values():
        discriminator = schema.get("discriminator")
        if not discriminator or discriminator.get("mapping") or "oneOf" not in schema:
            continue
        name = discriminator["propertyName"]
        mapping = {}
        for variant in schema["oneOf"]:
            target = schemas[variant["$ref"].rsplit("/", 1)[-1]]
            values = target.get("properties", {}).get(name, {}).get("enum", [])
            if len(values) == 1:
                mapping[values[0]] = variant["$ref"]
        if mapping:
            discriminator["mapping"] = mapping
    return spec


class _Request:
    """An httpx.Request seen through openapi-core's Request protocol."""

    def __init__(self, request: httpx.Request):
        self._request = request
        url = urlsplit(str(request.url))
        self.host_url = f"{url.scheme}://{url.netloc}"
        self.path = url.path
        self.full_url_pattern = self.host_url + self.path
        self.method = request.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(list(request.headers.items())),
        )
        self.content_type = request.headers.get("content-type", "").lower()
        self.body = request.content or None


class _Response:
    def __init__(self, response: httpx.Response):
        self.status_code = response.status_code
        self.headers = Headers(list(response.headers.items()))
        self.content_type = response.headers.get("content-type", "").lower()
        self.data = response.content or None


class ContractRecorder:
    def __init__(self, spec: OpenAPI | None = None) -> None:
        self._spec = spec
        self.checked: list[str] = []
        self.failures: list[str] = []

    def check(self, response: httpx.Response) -> None:
        spec = self._spec or infobip_contract()
        request = _Request(response.request)
        label = f"{response.request.method} {request.path} -> {response.status_code}"
        self.checked.append(label)
        try:
            spec.validate_request(request)
        except Exception as exc:  # noqa: BLE001 - every kind of contract failure is reported
            self.failures.append(f"request {label}: {_describe(exc)}")
        try:
            spec.validate_response(request, _Response(response))
        except Exception as exc:  # noqa: BLE001
            if not (response.content == b"" and _declares_no_schema(response)):
                self.failures.append(f"response {label}: {_describe(exc)}")

    async def hook(self, response: httpx.Response) -> None:
        # A streamed request body (a multipart upload) is not kept by httpx; read it back (the
        # multipart stream can be iterated again) so that it can be validated too.
        await response.request.aread()
        await response.aread()
        self.check(response)

    def assert_clean(self) -> None:
        assert self.checked, "no exchange was checked against the contract"
        assert not self.failures, "contract violations:\n" + "\n".join(self.failures)


def _declares_no_schema(response: httpx.Response) -> bool:
    """True where the contract lists `application/json: {}` (a media type without a schema)
    for this answer, e.g. provisioning's 201/204: an empty body is all such an answer carries,
    though openapi-core reports it as missing data."""
    op = match_operation(response.request.method, urlsplit(str(response.request.url)).path)
    if op is None:
        return False
    declared = _raw_contract()["paths"][op.path][op.method.lower()]["responses"].get(str(response.status_code), {})
    return (declared.get("content") or {}).get("application/json") == {}


@lru_cache(maxsize=1)
def _raw_contract() -> dict:
    return json.loads(SPEC_PATH.read_text())


def _describe(exc: BaseException) -> str:
    parts = [f"{type(exc).__name__}: {exc}"]
    cause = exc.__cause__
    while cause is not None:
        parts.append(f"{type(cause).__name__}: {cause}")
        schema_errors = getattr(cause, "schema_errors", None)
        if schema_errors:
            parts.extend(f"  - {e.message} at {list(e.absolute_path)}" for e in schema_errors)
        cause = cause.__cause__
    return " | ".join(parts)
