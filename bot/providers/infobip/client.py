"""Async client for the Infobip operations the bot uses: one typed method per operation.

Every call is paced under its documented rate (pacing.py) and retried (bot/providers/http.py)
by the policy the operations table gives it:

- idempotent operations (reads, PUT/DELETE, lookups) are retried on 429, 5xx, timeouts and
  lost connections, with exponential backoff and jitter, honouring `Retry-After`;
- the others (submit, purchase, update, cancel, upload, creates) are retried only when nothing
  can have been applied: a 429, or a connection that was never made. A timeout, a 5xx or a
  connection lost after sending raises `InfobipUnknownOutcome` at once.

Retries stop after `max_retries` or once they would have slept more than `max_retry_wait`.
"""

from __future__ import annotations

import email.message
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath
from typing import Any, TypeVar, cast
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter, ValidationError

from bot.domain.requirements import DOCUMENT_CONTENT_TYPES
from bot.providers.http import OPERATION_EXTENSION, Failures, ProviderClient, validation_detail
from bot.providers.infobip.errors import (
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
    AvailableNumbersQuery,
    CertificateDetails,
    CertificateRef,
    CertificatesQuery,
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
    InfobipModel,
    Number,
    NumberList,
    NumberPurchase,
    NumberUpdate,
    OwnedNumbersQuery,
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
from bot.providers.infobip.operations import OPERATIONS
from bot.providers.infobip.pacing import Pacer

logger = logging.getLogger("bot.providers.infobip")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)

T = TypeVar("T")


@dataclass(frozen=True)
class DownloadedDocument:
    content: bytes
    content_type: str | None
    filename: str | None


class InfobipClient(ProviderClient):
    """Async Infobip client; use as `async with InfobipClient(url, key) as client: ...`.

    Rate limits are per account: clients of the same account should share one `pacer`.
    `event_hooks` go straight to httpx (tests attach a contract recorder there).
    """

    _provider = "Infobip"
    _logger = logger

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
        headers = {"Authorization": f"App {api_key}"}
        super().__init__(base_url, headers, timeout, transport, event_hooks, max_retries, max_retry_wait)
        self._pacer = pacer or Pacer()

    def __repr__(self) -> str:
        return f"InfobipClient(base_url={self.base_url!r})"

    # ---- Resource requests ------------------------------------------------------------------

    async def lookup_requirements(self, query: RequirementsQuery) -> list[Requirement]:
        """What a country's regulation asks for; an empty list means nothing to fill in."""
        result = await self._fetch("resources-requirements-lookup", RequirementsLookupResult, body=query)
        return result.requirements

    async def lookup_coverage(self, query: CoverageQuery) -> ResourceCoverage:
        return await self._fetch("lookup-resource-coverage", ResourceCoverage, body=query)

    async def upload_document(self, filename: str, content: bytes) -> str:
        """Upload a document for a DOCUMENT requirement; returns the documentId to submit."""
        content_type = DOCUMENT_CONTENT_TYPES.get(PurePath(filename).suffix.lower())
        if content_type is None:
            allowed = " ".join(sorted(DOCUMENT_CONTENT_TYPES))
            raise ValueError(f"Infobip does not accept {filename!r}; allowed document types: {allowed}")
        files = {"document": (filename, content, content_type)}
        return (await self._fetch("upload-document", DocumentUploaded, files=files)).document_id

    async def download_document(self, document_id: str) -> DownloadedDocument:
        response = await self._call("download-document", path={"documentId": document_id}, headers={"Accept": "*/*"})
        disposition = email.message.Message()
        disposition["content-disposition"] = response.headers.get("content-disposition", "")
        return DownloadedDocument(response.content, response.headers.get("content-type"), disposition.get_filename())

    async def delete_document(self, document_id: str) -> None:
        await self._call("delete-document", path={"documentId": document_id})

    async def submit_resource_request(self, body: ResourceRequestSubmit) -> str:
        """Submit a request; returns its id. Raises InfobipUnknownOutcome when unconfirmed."""
        return (await self._fetch("submit-resource-request", ResourceRequestCreated, body=body)).id

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
        return await self._fetch("get-resource-requests", Page[ResourceRequest], params=params)

    async def get_resource_request(self, request_id: str) -> ResourceRequest:
        return await self._fetch("get-resource-request", ResourceRequest, path={"id": request_id})

    async def update_resource_request(
        self, request_id: str, requirements: Sequence[FilledRequirement]
    ) -> ResourceRequest:
        """Resend ALL requirements (not only the changed ones); allowed in UPDATE_REQUESTED*."""
        body = ResourceRequestUpdate(requirements=list(requirements))
        return await self._fetch("update-resource-request", ResourceRequest, path={"id": request_id}, body=body)

    async def cancel_resource_request(self, request_id: str) -> None:
        await self._call("cancel-resource-request", path={"id": request_id})

    async def search_resources(
        self, resource_filter: ResourcesFilter, *, page: int | None = None, size: int | None = None
    ) -> Page[OwnedResource]:
        """Resources the account owns (numbers, senders, ...)."""
        return await self._fetch(
            "list-resources", Page[OwnedResource], params={"page": page, "size": size}, body=resource_filter
        )

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
        return await self._fetch("get-inbound-configurations", list[InboundConfiguration], params=params)

    async def manage_inbound_configuration(self, body: InboundConfigurationRequest) -> InboundConfiguration:
        return await self._fetch("manage-inbound-configuration", InboundConfiguration, body=body)

    async def delete_inbound_configuration(self, configuration_key: str) -> None:
        await self._call("delete-inbound-configuration", path={"configurationKey": configuration_key})

    # ---- Numbers ----------------------------------------------------------------------------

    async def get_available_numbers(self, query: AvailableNumbersQuery) -> NumberList:
        """Numbers for sale, with prices."""
        return await self._fetch("get-available-numbers", NumberList, params=query.to_wire())

    async def list_owned_numbers(self, query: OwnedNumbersQuery) -> NumberList:
        return await self._fetch("list-owned-numbers", NumberList, params=query.to_wire())

    async def purchase_number(self, body: NumberPurchase) -> Number:
        """Buy an available number at once (deprecated by Infobip in favour of NUMBER_PURCHASE
        resource requests, still supported)."""
        return await self._fetch("purchase-number", Number, body=body)

    async def get_owned_number(self, number_key: str) -> Number:
        return await self._fetch("get-single-owned-number", Number, path={"numberKey": number_key})

    async def update_owned_number(self, number_key: str, body: NumberUpdate) -> Number:
        return await self._fetch("update-owned-number", Number, path={"numberKey": number_key}, body=body)

    async def cancel_number(self, number_key: str) -> None:
        await self._call("cancel-number", path={"numberKey": number_key})

    # ---- Applications and entities ----------------------------------------------------------

    async def list_applications(self, *, page: int | None = None, size: int | None = None) -> Page[Application]:
        return await self._fetch("get-applications", Page[Application], params={"page": page, "size": size})

    async def create_application(self, application: Application) -> None:
        await self._call("create-application", body=application)

    async def get_application(self, application_id: str) -> Application:
        return await self._fetch("get-application", Application, path={"applicationId": application_id})

    async def update_application(self, application_id: str, body: ApplicationUpdate) -> None:
        await self._call("modify-application", path={"applicationId": application_id}, body=body)

    async def delete_application(self, application_id: str) -> None:
        """Its resources fall back to application `default` (and no entity)."""
        await self._call("delete-application", path={"applicationId": application_id})

    async def list_entities(self, *, page: int | None = None, size: int | None = None) -> Page[Entity]:
        return await self._fetch("get-entities", Page[Entity], params={"page": page, "size": size})

    async def create_entity(self, entity: Entity) -> None:
        await self._call("create-entity", body=entity)

    async def get_entity(self, entity_id: str) -> Entity:
        return await self._fetch("get-entity", Entity, path={"entityId": entity_id})

    async def update_entity(self, entity_id: str, body: EntityUpdate) -> None:
        await self._call("modify-entity", path={"entityId": entity_id}, body=body)

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
        return await self._fetch("get-resource-associations", Page[ResourceAssociation], params=params)

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
        return await self._fetch("get-resource-association", ResourceAssociation, params=params)

    async def create_association(self, body: ResourceAssociationRequest) -> None:
        """201 with no body; an existing association answers 409 (InfobipAPIError)."""
        await self._call("create-resource-association", body=body)

    async def delete_association(self, body: ResourceAssociationRequest) -> None:
        """A DELETE that carries the same JSON body as the create."""
        await self._call("delete-resource-association", body=body)

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
        return await self._fetch("get-subscriptions", Page[Subscription], path={"channel": channel}, params=params)

    async def create_subscription(
        self,
        body: SubscriptionRequest,
        channel: SubscriptionChannel | str = SubscriptionChannel.REGISTRATION,
    ) -> SubscriptionRef:
        return await self._fetch("create-subscription", SubscriptionRef, path={"channel": channel}, body=body)

    async def get_subscription(
        self,
        subscription_id: str,
        channel: SubscriptionChannel | str = SubscriptionChannel.REGISTRATION,
    ) -> Subscription:
        return await self._fetch(
            "get-subscription", Subscription, path={"channel": channel, "subscriptionId": subscription_id}
        )

    async def update_subscription(
        self,
        subscription_id: str,
        body: SubscriptionUpdate,
        channel: SubscriptionChannel | str = SubscriptionChannel.REGISTRATION,
    ) -> SubscriptionRef:
        return await self._fetch(
            "update-subscription",
            SubscriptionRef,
            body=body,
            path={"channel": channel, "subscriptionId": subscription_id},
        )

    async def delete_subscription(
        self,
        subscription_id: str,
        channel: SubscriptionChannel | str = SubscriptionChannel.REGISTRATION,
    ) -> SubscriptionRef:
        return await self._fetch(
            "delete-subscription", SubscriptionRef, path={"channel": channel, "subscriptionId": subscription_id}
        )

    async def list_profiles(self, *, page: int | None = None, size: int | None = None) -> Page[Profile]:
        return await self._fetch("get-profiles", Page[Profile], params={"page": page, "size": size})

    async def create_profile(self, body: ProfileRequest) -> ProfileRef:
        return await self._fetch("create-profile", ProfileRef, body=body)

    async def get_profile(self, profile_id: str) -> Profile:
        return await self._fetch("get-profile", Profile, path={"profileId": profile_id})

    async def update_profile(self, profile_id: str, body: ProfileUpdate) -> ProfileRef:
        return await self._fetch("update-profile", ProfileRef, path={"profileId": profile_id}, body=body)

    async def delete_profile(self, profile_id: str) -> ProfileRef:
        return await self._fetch("delete-profile", ProfileRef, path={"profileId": profile_id})

    async def list_security_settings(
        self, *, page: int | None = None, size: int | None = None
    ) -> Page[SecuritySettings]:
        return await self._fetch("get-security-settings", Page[SecuritySettings], params={"page": page, "size": size})

    async def create_security_settings(self, body: SecuritySettings) -> SecurityRef:
        return await self._fetch("create-security-settings", SecurityRef, body=body)

    async def get_security_settings(self, auth_id: str) -> SecuritySettings:
        return await self._fetch("get-security-setting", SecuritySettings, path={"authId": auth_id})

    async def update_security_settings(self, auth_id: str, body: SecuritySettingsUpdate) -> SecurityRef:
        return await self._fetch("update-security-settings", SecurityRef, path={"authId": auth_id}, body=body)

    async def delete_security_settings(self, auth_id: str) -> SecurityRef:
        return await self._fetch("delete-security-settings", SecurityRef, path={"authId": auth_id})

    async def list_certificates(self, query: CertificatesQuery | None = None) -> Page[CertificateDetails]:
        params = (query or CertificatesQuery()).to_wire()
        return await self._fetch("get-certificates-details-page", Page[CertificateDetails], params=params)

    async def upload_certificate(self, body: CertificateUpload) -> CertificateStatusInfo:
        return await self._fetch("upload-certificate", CertificateStatusInfo, body=body)

    async def get_certificate(self, certificate_id: str) -> CertificateDetails:
        return await self._fetch("get-certificate-details", CertificateDetails, path={"certificateId": certificate_id})

    async def delete_certificate(self, certificate_id: str) -> CertificateRef:
        return await self._fetch("delete-certificate", CertificateRef, path={"certificateId": certificate_id})

    async def list_certificate_statuses(self, query: CertificatesQuery | None = None) -> Page[CertificateStatusInfo]:
        params = (query or CertificatesQuery()).to_wire()
        return await self._fetch("get-certificates-statuses-page", Page[CertificateStatusInfo], params=params)

    async def get_certificate_status(self, certificate_id: str) -> CertificateStatusInfo:
        return await self._fetch(
            "get-certificate-status", CertificateStatusInfo, path={"certificateId": certificate_id}
        )

    async def test_webhook_connection(self, body: ConnectionTestRequest) -> ConnectionTestResult:
        return await self._fetch("test-connection-to-webhook", ConnectionTestResult, body=body)

    # ---- Transport --------------------------------------------------------------------------

    async def _fetch(self, operation_id: str, target: type[T], **request: Any) -> T:
        """`_call`, then the body read as `target`."""
        return _parse(await self._call(operation_id, **request), operation_id, target)

    async def _call(
        self,
        operation_id: str,
        *,
        path: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        body: InfobipModel | None = None,
        files: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one operation with pacing and the retry policy; return a 2xx response. A `body` is
        sent as its wire JSON (`to_wire()`: wire names, no nulls)."""
        op = OPERATIONS[operation_id]
        json = body.to_wire() if body is not None else None
        url = op.path.format(**{name: quote(str(value), safe="") for name, value in (path or {}).items()})
        query = _query(params or {})

        async def attempt() -> httpx.Response:
            await self._pacer.acquire(operation_id)
            return await self._http.request(
                op.method,
                url,
                params=query,
                json=json,
                files=files,
                headers=headers,
                extensions={OPERATION_EXTENSION: operation_id},
            )

        failures = Failures(
            api_error=lambda response: api_error_from_response(response, operation_id),
            unknown_outcome=lambda why, status: InfobipUnknownOutcome(operation_id, why, status=status),
            transport_error=lambda why: InfobipTransportError(operation_id, why),
        )
        return await self._send(operation_id, op.idempotent, attempt, failures)


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


@cache
def _adapter(target: Any) -> TypeAdapter[Any]:
    return TypeAdapter(target)


def _parse(response: httpx.Response, operation_id: str, target: type[T]) -> T:
    try:
        return cast(T, _adapter(cast(Hashable, target)).validate_json(response.content))
    except ValidationError as exc:
        raise InfobipUnexpectedResponse(operation_id, response.status_code, validation_detail(exc)) from exc
