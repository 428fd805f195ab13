"""Async client for the Infobip operations the bot uses: one typed method per operation.

Every call is paced under its documented rate (pacing.py) and retried by the policy the
operations table gives it:

- idempotent operations (reads, PUT/DELETE, lookups) are retried on 429, 5xx, timeouts and
  lost connections, with exponential backoff and jitter, honouring `Retry-After`;
- the others (submit, purchase, update, cancel, upload, creates) are retried only when nothing
  can have been applied: a 429, or a connection that was never made. A timeout, a 5xx or a
  connection lost after sending raises `InfobipUnknownOutcome` at once.

Retries stop after `max_retries` or once they would have slept more than `max_retry_wait`.
"""

from __future__ import annotations

import asyncio
import email.message
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath
from types import TracebackType
from typing import Any, TypeVar, cast
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter, ValidationError

from bot.domain.requirements import DOCUMENT_CONTENT_TYPES
from bot.providers.http import OPERATION_EXTENSION, retry_after_seconds
from bot.providers.infobip.errors import (
    InfobipError,
    InfobipTransportError,
    InfobipUnexpectedResponse,
    InfobipUnknownOutcome,
    api_error_from_response,
)
from bot.providers.infobip.models import (
    Application,
    ApplicationUpdate,
    AssociationChannel,
    AssociationResourceType,
    CertificateDetails,
    CertificateRef,
    CertificateStatusInfo,
    CertificateUpload,
    ConnectionTestRequest,
    ConnectionTestResult,
    CoverageQuery,
    DocumentUploaded,
    Entity,
    EntityUpdate,
    FilledRequirement,
    InboundChannel,
    InboundConfiguration,
    InboundConfigurationRequest,
    Number,
    NumberCapability,
    NumberList,
    NumberPurchase,
    NumberUpdate,
    OwnedResource,
    Page,
    Profile,
    ProfileRef,
    ProfileRequest,
    ProfileUpdate,
    Requirement,
    RequirementsLookupResult,
    RequirementsQuery,
    ResourceAssociation,
    ResourceAssociationRequest,
    ResourceCoverage,
    ResourceRequest,
    ResourceRequestCreated,
    ResourceRequestStatus,
    ResourceRequestSubmit,
    ResourceRequestType,
    ResourceRequestUpdate,
    ResourcesFilter,
    SecurityRef,
    SecuritySettings,
    SecuritySettingsUpdate,
    Subscription,
    SubscriptionChannel,
    SubscriptionRef,
    SubscriptionRequest,
    SubscriptionUpdate,
)
from bot.providers.infobip.operations import OPERATIONS, Operation
from bot.providers.infobip.pacing import Pacer

logger = logging.getLogger("bot.providers.infobip")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


_BACKOFF_BASE = 0.5  # seconds before the first retry (before jitter)
_BACKOFF_CAP = 8.0

# The connection was never made, so the request never left: safe to resend any operation.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Worth another try for an idempotent operation. Anything else (a bad URL scheme, a proxy
# refusing us) will fail the same way again.
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)

T = TypeVar("T")


@dataclass(frozen=True)
class DownloadedDocument:
    content: bytes
    content_type: str | None
    filename: str | None


class InfobipClient:
    """Async Infobip client; use as `async with InfobipClient(url, key) as client: ...`.

    Rate limits are per account: clients of the same account should share one `pacer`.
    `event_hooks` go straight to httpx (tests attach a contract recorder there).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        pacer: Pacer | None = None,
        max_retries: int = 3,
        max_retry_wait: float = 30.0,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
    ):
        if not api_key:
            raise ValueError("an Infobip API key is required")
        if timeout is None:
            raise ValueError("a timeout is required: a hung call must not hang the bot")
        self.base_url = base_url.rstrip("/")
        self._pacer = pacer or Pacer()
        self._max_retries = max_retries
        self._max_retry_wait = max_retry_wait
        # The key lives only in the httpx client's default headers; never in an attribute.
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"Authorization": f"App {api_key}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            event_hooks=event_hooks,
        )

    def __repr__(self) -> str:
        return f"InfobipClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> InfobipClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ---- Resource requests ------------------------------------------------------------------

    async def lookup_requirements(self, query: RequirementsQuery) -> list[Requirement]:
        """What a country's regulation asks for; an empty list means nothing to fill in."""
        response = await self._call("resources-requirements-lookup", json=query.to_wire())
        return _parse(response, "resources-requirements-lookup", RequirementsLookupResult).requirements

    async def lookup_coverage(self, query: CoverageQuery) -> ResourceCoverage:
        response = await self._call("lookup-resource-coverage", json=query.to_wire())
        return _parse(response, "lookup-resource-coverage", ResourceCoverage)

    async def upload_document(self, filename: str, content: bytes) -> str:
        """Upload a document for a DOCUMENT requirement; returns the documentId to submit."""
        content_type = DOCUMENT_CONTENT_TYPES.get(PurePath(filename).suffix.lower())
        if content_type is None:
            allowed = " ".join(sorted(DOCUMENT_CONTENT_TYPES))
            raise ValueError(f"Infobip does not accept {filename!r}; allowed document types: {allowed}")
        response = await self._call("upload-document", files={"document": (filename, content, content_type)})
        return _parse(response, "upload-document", DocumentUploaded).document_id

    async def download_document(self, document_id: str) -> DownloadedDocument:
        response = await self._call("download-document", path={"documentId": document_id}, headers={"Accept": "*/*"})
        disposition = email.message.Message()
        disposition["content-disposition"] = response.headers.get("content-disposition", "")
        return DownloadedDocument(response.content, response.headers.get("content-type"), disposition.get_filename())

    async def delete_document(self, document_id: str) -> None:
        await self._call("delete-document", path={"documentId": document_id})

    async def submit_resource_request(self, body: ResourceRequestSubmit) -> str:
        """Submit a request; returns its id. Raises InfobipUnknownOutcome when unconfirmed."""
        response = await self._call("submit-resource-request", json=body.to_wire())
        return _parse(response, "submit-resource-request", ResourceRequestCreated).id

    async def list_resource_requests(
        self,
        *,
        country_codes: Sequence[str] | None = None,
        statuses: Sequence[ResourceRequestStatus | str] | None = None,
        types: Sequence[ResourceRequestType | str] | None = None,
        sort: Sequence[str] | None = None,
        page: int | None = None,
        size: int | None = None,
    ) -> Page[ResourceRequest]:
        params = {
            "countryCode": country_codes,
            "status": statuses,
            "type": types,
            "sort": sort,
            "page": page,
            "size": size,
        }
        response = await self._call("get-resource-requests", params=params)
        return _parse(response, "get-resource-requests", Page[ResourceRequest])

    async def get_resource_request(self, request_id: str) -> ResourceRequest:
        response = await self._call("get-resource-request", path={"id": request_id})
        return _parse(response, "get-resource-request", ResourceRequest)

    async def update_resource_request(
        self, request_id: str, requirements: Sequence[FilledRequirement]
    ) -> ResourceRequest:
        """Resend ALL requirements (not only the changed ones); allowed in UPDATE_REQUESTED*."""
        body = ResourceRequestUpdate(requirements=list(requirements))
        response = await self._call("update-resource-request", path={"id": request_id}, json=body.to_wire())
        return _parse(response, "update-resource-request", ResourceRequest)

    async def cancel_resource_request(self, request_id: str) -> None:
        await self._call("cancel-resource-request", path={"id": request_id})

    async def search_resources(
        self, resource_filter: ResourcesFilter, *, page: int | None = None, size: int | None = None
    ) -> Page[OwnedResource]:
        """Resources the account owns (numbers, senders, ...)."""
        response = await self._call(
            "list-resources", params={"page": page, "size": size}, json=resource_filter.to_wire()
        )
        return _parse(response, "list-resources", Page[OwnedResource])

    # ---- Inbound message configurations (keywords) -----------------------------------------

    async def get_inbound_configurations(
        self,
        channel: InboundChannel | str,
        *,
        configuration_key: str | None = None,
        number: str | None = None,
        number_key: str | None = None,
        resource: str | None = None,
        resource_key: str | None = None,
        keyword: str | None = None,
        country_code: str | None = None,
    ) -> list[InboundConfiguration]:
        params = {
            "channel": channel,
            "configurationKey": configuration_key,
            "number": number,
            "numberKey": number_key,
            "resource": resource,
            "resourceKey": resource_key,
            "keyword": keyword,
            "countryCode": country_code,
        }
        response = await self._call("get-inbound-configurations", params=params)
        return _parse(response, "get-inbound-configurations", list[InboundConfiguration])

    async def manage_inbound_configuration(self, body: InboundConfigurationRequest) -> InboundConfiguration:
        response = await self._call("manage-inbound-configuration", json=body.to_wire())
        return _parse(response, "manage-inbound-configuration", InboundConfiguration)

    async def delete_inbound_configuration(self, configuration_key: str) -> None:
        await self._call("delete-inbound-configuration", path={"configurationKey": configuration_key})

    # ---- Numbers ----------------------------------------------------------------------------

    async def get_available_numbers(
        self,
        *,
        country: str | None = None,
        capabilities: Sequence[NumberCapability | str] | None = None,
        state: str | None = None,
        npa: int | None = None,
        nxx: int | None = None,
        number: str | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> NumberList:
        """Numbers for sale, with prices; `number` filters on digits the number contains."""
        params = {
            "country": country,
            "capabilities": capabilities,
            "state": state,
            "npa": npa,
            "nxx": nxx,
            "number": number,
            "page": page,
            "limit": limit,
        }
        response = await self._call("get-available-numbers", params=params)
        return _parse(response, "get-available-numbers", NumberList)

    async def list_owned_numbers(
        self, *, number: str | None = None, page: int | None = None, limit: int | None = None
    ) -> NumberList:
        response = await self._call("list-owned-numbers", params={"number": number, "page": page, "limit": limit})
        return _parse(response, "list-owned-numbers", NumberList)

    async def purchase_number(self, body: NumberPurchase) -> Number:
        """Buy an available number at once (deprecated by Infobip in favour of NUMBER_PURCHASE
        resource requests, still supported)."""
        response = await self._call("purchase-number", json=body.to_wire())
        return _parse(response, "purchase-number", Number)

    async def get_owned_number(self, number_key: str) -> Number:
        response = await self._call("get-single-owned-number", path={"numberKey": number_key})
        return _parse(response, "get-single-owned-number", Number)

    async def update_owned_number(self, number_key: str, body: NumberUpdate) -> Number:
        response = await self._call("update-owned-number", path={"numberKey": number_key}, json=body.to_wire())
        return _parse(response, "update-owned-number", Number)

    async def cancel_number(self, number_key: str) -> None:
        await self._call("cancel-number", path={"numberKey": number_key})

    # ---- Applications and entities ----------------------------------------------------------

    async def list_applications(self, *, page: int | None = None, size: int | None = None) -> Page[Application]:
        response = await self._call("get-applications", params={"page": page, "size": size})
        return _parse(response, "get-applications", Page[Application])

    async def create_application(self, application: Application) -> None:
        await self._call("create-application", json=application.to_wire())

    async def get_application(self, application_id: str) -> Application:
        response = await self._call("get-application", path={"applicationId": application_id})
        return _parse(response, "get-application", Application)

    async def update_application(self, application_id: str, body: ApplicationUpdate) -> None:
        await self._call("modify-application", path={"applicationId": application_id}, json=body.to_wire())

    async def delete_application(self, application_id: str) -> None:
        """Its resources fall back to application `default` (and no entity)."""
        await self._call("delete-application", path={"applicationId": application_id})

    async def list_entities(self, *, page: int | None = None, size: int | None = None) -> Page[Entity]:
        response = await self._call("get-entities", params={"page": page, "size": size})
        return _parse(response, "get-entities", Page[Entity])

    async def create_entity(self, entity: Entity) -> None:
        await self._call("create-entity", json=entity.to_wire())

    async def get_entity(self, entity_id: str) -> Entity:
        response = await self._call("get-entity", path={"entityId": entity_id})
        return _parse(response, "get-entity", Entity)

    async def update_entity(self, entity_id: str, body: EntityUpdate) -> None:
        await self._call("modify-entity", path={"entityId": entity_id}, json=body.to_wire())

    async def delete_entity(self, entity_id: str) -> None:
        await self._call("delete-entity", path={"entityId": entity_id})

    # ---- Resource associations --------------------------------------------------------------

    async def list_associations(
        self,
        *,
        resource_type: AssociationResourceType | str | None = None,
        channel: AssociationChannel | str | None = None,
        application_id: str | None = None,
        entity_id: str | None = None,
        resource_id: str | None = None,
        page: int | None = None,
        size: int | None = None,
    ) -> Page[ResourceAssociation]:
        params = {
            "resourceType": resource_type,
            "channel": channel,
            "applicationId": application_id,
            "entityId": entity_id,
            "resourceId": resource_id,
            "page": page,
            "size": size,
        }
        response = await self._call("get-resource-associations", params=params)
        return _parse(response, "get-resource-associations", Page[ResourceAssociation])

    async def get_association(
        self,
        *,
        resource_type: AssociationResourceType | str,
        channel: AssociationChannel | str,
        application_id: str,
        resource_id: str,
        entity_id: str | None = None,
    ) -> ResourceAssociation:
        params = {
            "resourceType": resource_type,
            "channel": channel,
            "applicationId": application_id,
            "resourceId": resource_id,
            "entityId": entity_id,
        }
        response = await self._call("get-resource-association", params=params)
        return _parse(response, "get-resource-association", ResourceAssociation)

    async def create_association(self, body: ResourceAssociationRequest) -> None:
        """201 with no body; an existing association answers 409 (InfobipAPIError)."""
        await self._call("create-resource-association", json=body.to_wire())

    async def delete_association(self, body: ResourceAssociationRequest) -> None:
        """A DELETE that carries the same JSON body as the create."""
        await self._call("delete-resource-association", json=body.to_wire())

    # ---- Webhook subscriptions --------------------------------------------------------------

    async def list_subscriptions(
        self,
        channel: SubscriptionChannel | str = SubscriptionChannel.REGISTRATION,
        *,
        application_id: str | None = None,
        entity_id: str | None = None,
        calls_configuration_id: str | None = None,
        resource: str | None = None,
        user: str | None = None,
        page: int | None = None,
        size: int | None = None,
    ) -> Page[Subscription]:
        params = {
            "applicationId": application_id,
            "entityId": entity_id,
            "callsConfigurationId": calls_configuration_id,
            "resource": resource,
            "user": user,
            "page": page,
            "size": size,
        }
        response = await self._call("get-subscriptions", path={"channel": channel}, params=params)
        return _parse(response, "get-subscriptions", Page[Subscription])

    async def create_subscription(
        self,
        body: SubscriptionRequest,
        channel: SubscriptionChannel | str = SubscriptionChannel.REGISTRATION,
    ) -> SubscriptionRef:
        response = await self._call("create-subscription", path={"channel": channel}, json=body.to_wire())
        return _parse(response, "create-subscription", SubscriptionRef)

    async def get_subscription(
        self,
        subscription_id: str,
        channel: SubscriptionChannel | str = SubscriptionChannel.REGISTRATION,
    ) -> Subscription:
        response = await self._call("get-subscription", path={"channel": channel, "subscriptionId": subscription_id})
        return _parse(response, "get-subscription", Subscription)

    async def update_subscription(
        self,
        subscription_id: str,
        body: SubscriptionUpdate,
        channel: SubscriptionChannel | str = SubscriptionChannel.REGISTRATION,
    ) -> SubscriptionRef:
        response = await self._call(
            "update-subscription", json=body.to_wire(), path={"channel": channel, "subscriptionId": subscription_id}
        )
        return _parse(response, "update-subscription", SubscriptionRef)

    async def delete_subscription(
        self,
        subscription_id: str,
        channel: SubscriptionChannel | str = SubscriptionChannel.REGISTRATION,
    ) -> SubscriptionRef:
        response = await self._call("delete-subscription", path={"channel": channel, "subscriptionId": subscription_id})
        return _parse(response, "delete-subscription", SubscriptionRef)

    async def list_profiles(self, *, page: int | None = None, size: int | None = None) -> Page[Profile]:
        response = await self._call("get-profiles", params={"page": page, "size": size})
        return _parse(response, "get-profiles", Page[Profile])

    async def create_profile(self, body: ProfileRequest) -> ProfileRef:
        response = await self._call("create-profile", json=body.to_wire())
        return _parse(response, "create-profile", ProfileRef)

    async def get_profile(self, profile_id: str) -> Profile:
        response = await self._call("get-profile", path={"profileId": profile_id})
        return _parse(response, "get-profile", Profile)

    async def update_profile(self, profile_id: str, body: ProfileUpdate) -> ProfileRef:
        response = await self._call("update-profile", path={"profileId": profile_id}, json=body.to_wire())
        return _parse(response, "update-profile", ProfileRef)

    async def delete_profile(self, profile_id: str) -> ProfileRef:
        response = await self._call("delete-profile", path={"profileId": profile_id})
        return _parse(response, "delete-profile", ProfileRef)

    async def list_security_settings(
        self, *, page: int | None = None, size: int | None = None
    ) -> Page[SecuritySettings]:
        response = await self._call("get-security-settings", params={"page": page, "size": size})
        return _parse(response, "get-security-settings", Page[SecuritySettings])

    async def create_security_settings(self, body: SecuritySettings) -> SecurityRef:
        response = await self._call("create-security-settings", json=body.to_wire())
        return _parse(response, "create-security-settings", SecurityRef)

    async def get_security_settings(self, auth_id: str) -> SecuritySettings:
        response = await self._call("get-security-setting", path={"authId": auth_id})
        return _parse(response, "get-security-setting", SecuritySettings)

    async def update_security_settings(self, auth_id: str, body: SecuritySettingsUpdate) -> SecurityRef:
        response = await self._call("update-security-settings", path={"authId": auth_id}, json=body.to_wire())
        return _parse(response, "update-security-settings", SecurityRef)

    async def delete_security_settings(self, auth_id: str) -> SecurityRef:
        response = await self._call("delete-security-settings", path={"authId": auth_id})
        return _parse(response, "delete-security-settings", SecurityRef)

    async def list_certificates(
        self,
        *,
        search: str | None = None,
        sort_by: str | None = None,
        direction: str | None = None,
        page: int | None = None,
        size: int | None = None,
    ) -> Page[CertificateDetails]:
        params = {"search": search, "sortBy": sort_by, "direction": direction, "page": page, "size": size}
        response = await self._call("get-certificates-details-page", params=params)
        return _parse(response, "get-certificates-details-page", Page[CertificateDetails])

    async def upload_certificate(self, body: CertificateUpload) -> CertificateStatusInfo:
        response = await self._call("upload-certificate", json=body.to_wire())
        return _parse(response, "upload-certificate", CertificateStatusInfo)

    async def get_certificate(self, certificate_id: str) -> CertificateDetails:
        response = await self._call("get-certificate-details", path={"certificateId": certificate_id})
        return _parse(response, "get-certificate-details", CertificateDetails)

    async def delete_certificate(self, certificate_id: str) -> CertificateRef:
        response = await self._call("delete-certificate", path={"certificateId": certificate_id})
        return _parse(response, "delete-certificate", CertificateRef)

    async def list_certificate_statuses(
        self,
        *,
        search: str | None = None,
        sort_by: str | None = None,
        direction: str | None = None,
        page: int | None = None,
        size: int | None = None,
    ) -> Page[CertificateStatusInfo]:
        params = {"search": search, "sortBy": sort_by, "direction": direction, "page": page, "size": size}
        response = await self._call("get-certificates-statuses-page", params=params)
        return _parse(response, "get-certificates-statuses-page", Page[CertificateStatusInfo])

    async def get_certificate_status(self, certificate_id: str) -> CertificateStatusInfo:
        response = await self._call("get-certificate-status", path={"certificateId": certificate_id})
        return _parse(response, "get-certificate-status", CertificateStatusInfo)

    async def test_webhook_connection(self, body: ConnectionTestRequest) -> ConnectionTestResult:
        response = await self._call("test-connection-to-webhook", json=body.to_wire())
        return _parse(response, "test-connection-to-webhook", ConnectionTestResult)

    # ---- Transport --------------------------------------------------------------------------

    async def _call(
        self,
        operation_id: str,
        *,
        path: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        files: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one operation with pacing and the retry policy; return a 2xx response."""
        op = OPERATIONS[operation_id]
        url = op.path.format(**{name: quote(str(value), safe="") for name, value in (path or {}).items()})
        query = _query(params or {})
        retries, waited = 0, 0.0
        while True:
            await self._pacer.acquire(operation_id)
            try:
                response = await self._http.request(
                    op.method,
                    url,
                    params=query,
                    json=json,
                    files=files,
                    headers=headers,
                    extensions={OPERATION_EXTENSION: operation_id},
                )
            except httpx.RequestError as exc:
                error, why = self._transport_failure(op, exc)
                delay = _backoff(retries)
            else:
                if response.is_success:
                    return response
                error = api_error_from_response(response, operation_id)
                status = response.status_code
                if status >= 500 and not op.idempotent:
                    raise InfobipUnknownOutcome(operation_id, f"HTTP {status}", status=status) from error
                if status != 429 and status < 500:
                    raise error
                why = f"HTTP {status}"
                retry_after = retry_after_seconds(response.headers)
                delay = retry_after if retry_after is not None else _backoff(retries)
            if retries >= self._max_retries or waited + delay > self._max_retry_wait:
                raise error
            retries += 1
            waited += delay
            logger.warning(
                "Infobip %s failed (%s); retry %d of %d in %.2fs", operation_id, why, retries, self._max_retries, delay
            )
            await asyncio.sleep(delay)

    @staticmethod
    def _transport_failure(op: Operation, exc: httpx.RequestError) -> tuple[InfobipError, str]:
        """The error to raise if no retry follows, and a short reason; raises at once when the
        failure must not be retried."""
        why = _describe_request_error(exc)
        if not isinstance(exc, _NOT_SENT):
            if not op.idempotent:
                raise InfobipUnknownOutcome(op.operation_id, why) from exc
            if not isinstance(exc, _TRANSIENT):
                raise InfobipTransportError(op.operation_id, why) from exc
        error = InfobipTransportError(op.operation_id, why)
        error.__cause__ = exc
        return error, why


async def iterate_pages(fetch: Callable[[int], Awaitable[Page[T]]]) -> AsyncIterator[T]:
    """Every item of a `page`/`size` list: `fetch(page)` is called for page 0, 1, ...

    Example: `async for r in iterate_pages(lambda p: client.list_resource_requests(page=p, size=100))`.
    """
    page = 0
    while True:
        result = await fetch(page)
        for item in result.results:
            yield item
        if not result.results or result.paging is None or page + 1 >= result.paging.total_pages:
            return
        page += 1


async def iterate_numbers(fetch: Callable[[int], Awaitable[NumberList]]) -> AsyncIterator[Number]:
    """Every number of a `page`/`limit` numbers list (whose total is `numberCount`)."""
    page, seen = 0, 0
    while True:
        result = await fetch(page)
        for number in result.numbers:
            yield number
        seen += len(result.numbers)
        if not result.numbers or seen >= result.number_count:
            return
        page += 1


def _query(params: Mapping[str, Any]) -> dict[str, Any]:
    """Query parameters without the unset ones; lists become repeated parameters."""
    return {
        name: list(value) if isinstance(value, (list, tuple)) else value
        for name, value in params.items()
        if value is not None and value != [] and value != ()
    }


def _backoff(retries: int) -> float:
    """Exponential backoff with jitter, so that many clients do not retry in step."""
    return float(min(_BACKOFF_CAP, _BACKOFF_BASE * 2**retries) * random.uniform(0.5, 1.0))


def _describe_request_error(exc: httpx.RequestError) -> str:
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return "could not connect"
    if isinstance(exc, httpx.PoolTimeout):
        return "no free connection"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out waiting for the answer"
    if isinstance(exc, (httpx.NetworkError, httpx.RemoteProtocolError)):
        return "the connection was lost"
    return type(exc).__name__


@cache
def _adapter(target: Any) -> TypeAdapter[Any]:
    return TypeAdapter(target)


def _parse(response: httpx.Response, operation_id: str, target: type[T]) -> T:
    try:
        return cast(T, _adapter(cast(Hashable, target)).validate_json(response.content))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise InfobipUnexpectedResponse(operation_id, response.status_code, f"{where}: {first['msg']}") from exc
