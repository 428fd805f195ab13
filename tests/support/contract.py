"""Checks real HTTP exchanges with Infobip's published OpenAPI document (openapi-core).

Attach `ContractRecorder.hook` to an httpx client's response event hook: every request the
client sends and every response the server returns is validated against the contract, errors
included. Failures are collected and asserted by the test, so one run shows all of them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from bot.providers.infobip.operations import match_operation

SPEC_PATH = Path(__file__).parent.parent / "contract" / "infobip-openapi.json"


@lru_cache(maxsize=1)
def infobip_contract() -> OpenAPI:
    return OpenAPI.from_dict(_with_discriminator_mappings(json.loads(SPEC_PATH.read_text())))


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
    def __init__(self) -> None:
        self.checked: list[str] = []
        self.failures: list[str] = []

    def check(self, response: httpx.Response) -> None:
        spec = infobip_contract()
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
