"""Pydantic models for the Infobip API, keeping its quirks.

Attributes are snake_case with aliases to the wire names; build request bodies with
`to_wire()` (wire names, no nulls). Every model keeps fields it does not know (the API grows).

Enumerations that Infobip may extend (statuses, types, feedback codes) are typed as
`Open[Enum]`, that is `Enum | str`: a known value becomes the enum member, an unknown one stays a
plain string instead of failing the whole response. Request bodies use the closed enums: the bot
should not send values it has never heard of.

Dates are `InfobipDateTime`: Infobip writes `2025-03-11T09:22:47.000+0000` (no colon in the
offset); RFC 3339 is accepted too. They always parse to aware datetimes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from bot.domain import requirements as domain
from bot.domain.forms import RequestKind
from bot.domain.number_shapes import Price
from bot.domain.statuses import RequestStatus


class InfobipModel(BaseModel):
    """Base for every model: unknown fields are kept, not rejected (the API grows)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def to_wire(self) -> dict[str, Any]:
        """The JSON body Infobip expects: wire names, no null fields."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


# With a plain `Enum | str` pydantic's smart union prefers `str` for string input, so known
# values would never become enum members; left-to-right tries the enum first.
_LEFT_TO_RIGHT = Field(union_mode="left_to_right")

E = TypeVar("E", bound=StrEnum)

# An enumeration Infobip may extend (see the module's docstring).
Open = Annotated[E | str, _LEFT_TO_RIGHT]


# ---- Dates -----------------------------------------------------------------------------------

_OFFSET_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


def _normalise_offset(value: Any) -> Any:
    if isinstance(value, str):
        return _OFFSET_WITHOUT_COLON.sub(r"\1:\2", value.strip())
    return value


def _assume_utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _format_infobip(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}" + value.strftime("%z")


# An aware datetime; written back in Infobip's own format in JSON.
InfobipDateTime = Annotated[
    datetime,
    BeforeValidator(_normalise_offset),
    AfterValidator(_assume_utc),
    PlainSerializer(_format_infobip, when_used="json"),
]


# ---- Shared pieces ---------------------------------------------------------------------------


class QueryParameters(InfobipModel):
    """The query of one operation: only that operation's own parameters, a misspelt one is refused."""

    model_config = ConfigDict(extra="forbid")


class PageInfo(InfobipModel):
    page: int
    size: int
    total_pages: int = Field(alias="totalPages")
    total_results: int = Field(alias="totalResults")


T = TypeVar("T")


class Page(InfobipModel, Generic[T]):
    """A page of a `page`/`size` list (resources, provisioning, subscriptions)."""

    results: list[T] = Field(default_factory=list)
    paging: PageInfo | None = None


class Platform(InfobipModel):
    """Where a resource is attached: an application and, optionally, an entity."""

    application_id: str | None = Field(None, alias="applicationId")
    entity_id: str | None = Field(None, alias="entityId")


# ---- Error bodies ----------------------------------------------------------------------------
# Read leniently on purpose (everything but the code is optional): an error must always be
# reportable, even when Infobip leaves a part out.


class ApiErrorViolation(InfobipModel):
    property: str = ""
    violation: str = ""


class ApiErrorResource(InfobipModel):
    name: str = ""
    url: str = ""


class ApiError(InfobipModel):
    """The new error body: resource requests, documents, most 4xx of the newer APIs."""

    error_code: str = Field(alias="errorCode")
    description: str = ""
    action: str = ""
    violations: list[ApiErrorViolation] = Field(default_factory=list)
    resources: list[ApiErrorResource] = Field(default_factory=list)


class LegacyErrorDetails(InfobipModel):
    message_id: str | None = Field(None, alias="messageId")
    text: str | None = None
    validation_errors: dict[str, list[str]] | None = Field(None, alias="validationErrors")


class LegacyRequestError(InfobipModel):
    service_exception: LegacyErrorDetails = Field(alias="serviceException")


class LegacyApiError(InfobipModel):
    """The legacy error body `{"requestError": {"serviceException": ...}}`: numbers, provisioning."""

    request_error: LegacyRequestError = Field(alias="requestError")


# ---- Requirements lookup -------------------------------------------------------------------
# A requirement's fields, their wire names and DocumentType are the domain's
# (bot.domain.requirements): the models below read them as Infobip sends them.


class RequirementType(StrEnum):
    TEXT = "TEXT"
    INTEGER = "INTEGER"
    EMAIL = "EMAIL"
    URL = "URL"
    GSM = "GSM"
    DOCUMENT = "DOCUMENT"


class RequirementValidation(domain.RequirementRules, InfobipModel):
    """Rules on a TEXT (min/max length, pattern) or INTEGER (min/max value) requirement: the
    domain's rules, whose names are Infobip's, read as a wire model (unknown fields kept)."""


class RequirementAttachment(domain.RequirementDocument, InfobipModel):
    """A document the user can download: a template to fill in, a sample, a prefilled form."""


class Requirement(domain.Requirement, InfobipModel):
    """One field a country's regulation asks for, as the requirements lookup returns it: the
    domain's requirement, its type an `Open[RequirementType]` and its parts wire models."""

    type: Open[RequirementType]
    validation: RequirementValidation | None = None
    attachment: RequirementAttachment | None = None


class RequirementsLookupResult(InfobipModel):
    requirements: list[Requirement] = Field(default_factory=list)


# A submitted value: a string, an integer, or a list of them when multipleValuesSupported.
RequirementValue = str | int | list[str] | list[int] | list[str | int]


class FilledRequirement(InfobipModel):
    key: str
    # The spec types it as any JSON; in practice a RequirementValue. Kept loose so that reading a
    # request back never fails on a value shape Infobip accepted.
    value: Any


ResourceRequestType = RequestKind  # the domain's request kinds are the contract's three types


class TrafficOrigin(StrEnum):
    LOCAL = "LOCAL"
    INTERNATIONAL = "INTERNATIONAL"


class TrafficType(StrEnum):
    PROMOTIONAL = "PROMOTIONAL"
    TRANSACTIONAL = "TRANSACTIONAL"


class ResourceNumberType(StrEnum):
    SHORT_CODE = "SHORT_CODE"
    VIRTUAL_LONG_NUMBER = "VIRTUAL_LONG_NUMBER"
    TEN_DIGIT_LONG_CODE = "TEN_DIGIT_LONG_CODE"
    TOLL_FREE_NUMBER = "TOLL_FREE_NUMBER"


class ResourceNumberCapability(StrEnum):
    SMS = "SMS"
    VOICE = "VOICE"
    MMS = "MMS"


class ClientType(StrEnum):
    """Whether the buyer counts as a local or an international client (number offers)."""

    LOCAL = "LOCAL"
    INTERNATIONAL = "INTERNATIONAL"


class AlphaRequirementsQuery(InfobipModel):
    type: Literal["ALPHANUMERIC_REGISTRATION"] = "ALPHANUMERIC_REGISTRATION"
    country_code: str = Field(alias="countryCode")
    traffic_origin: TrafficOrigin | None = Field(None, alias="trafficOrigin")
    traffic_type: TrafficType | None = Field(None, alias="trafficType")


class NumberRequirementsQuery(InfobipModel):
    type: Literal["NUMBER_PURCHASE"] = "NUMBER_PURCHASE"
    country_code: str = Field(alias="countryCode")
    number_type: ResourceNumberType = Field(alias="numberType")
    capabilities: list[ResourceNumberCapability]
    quantity: int | None = Field(None, ge=1, le=49)
    client_type: ClientType | None = Field(None, alias="clientType")


class RcsRequirementsQuery(InfobipModel):
    type: Literal["RCS_SENDER_LAUNCH"] = "RCS_SENDER_LAUNCH"
    country_code: str = Field(alias="countryCode")
    traffic_origin: TrafficOrigin = Field(alias="trafficOrigin")
    excluded_carriers: list[str] | None = Field(None, alias="excludedCarriers")


# The requirements-lookup body; the variant is chosen by `type`.
RequirementsQuery = Annotated[
    AlphaRequirementsQuery | NumberRequirementsQuery | RcsRequirementsQuery, Field(discriminator="type")
]


# ---- Resource requests -----------------------------------------------------------------------


# A submit body is its type's lookup query plus the filled requirements: Infobip looks the
# requirements up with the same parameters the request is then submitted with.


class AlphaRegistrationSubmit(AlphaRequirementsQuery):
    sender_name: str = Field(alias="senderName", min_length=3, max_length=11)
    requirements: list[FilledRequirement]
    additional_contact_emails: list[str] | None = Field(None, alias="additionalContactEmails")
    platform: Platform | None = None


class NumberPurchaseSubmit(NumberRequirementsQuery):
    requirements: list[FilledRequirement] | None = None
    additional_contact_emails: list[str] | None = Field(None, alias="additionalContactEmails")
    platform: Platform | None = None


class RcsSenderLaunchSubmit(RcsRequirementsQuery):
    sender_name: str = Field(alias="senderName", min_length=1, max_length=255)
    requirements: list[FilledRequirement]
    additional_contact_emails: list[str] | None = Field(None, alias="additionalContactEmails")
    platform: Platform | None = None


# The submit body; the variant is chosen by `type`.
ResourceRequestSubmit = Annotated[
    AlphaRegistrationSubmit | NumberPurchaseSubmit | RcsSenderLaunchSubmit, Field(discriminator="type")
]


class ResourceRequestCreated(InfobipModel):
    """Submit's 201 answer."""

    id: str


class ResourceRequestUpdate(InfobipModel):
    """PATCH body: must carry every requirement again, not only the changed ones."""

    requirements: list[FilledRequirement]


class DocumentUploaded(InfobipModel):
    document_id: str = Field(alias="documentId")


ResourceRequestStatus = RequestStatus  # the domain's list of Infobip's statuses


class FeedbackCode(StrEnum):
    REQUIRED = "RES_REQ_FEED_REQUIRED"
    FORMAT = "RES_REQ_FEED_FORMAT"
    LENGTH_OOR = "RES_REQ_FEED_LENGTH_OOR"
    VALUE_OOR = "RES_REQ_FEED_VALUE_OOR"
    OTHER = "RES_REQ_FEED_OTHER"
    USER_ACTION_REQUIRED = "RES_REQ_FEED_USER_ACTION_REQUIRED"


class ProcuredNumberStatus(StrEnum):
    SUCCESS = "SUCCESS"


class RequirementFeedback(InfobipModel):
    """A reviewer's remark on one submitted requirement."""

    key: str | None = None
    code: Open[FeedbackCode] | None = None
    feedback: str | None = None


class ProcuredNumber(InfobipModel):
    number: str
    number_key: str | None = Field(None, alias="numberKey")
    status: Open[ProcuredNumberStatus]


_EMAILS_IN_RESPONSES = "additionalContactEmailAddresses"
_EMAILS_IN_REQUESTS = "additionalContactEmails"


class ResourceRequest(InfobipModel):
    """A resource request as get/list return it; one model for the three types.

    The spec marks no field required; `id` and `type` are required here because a request
    without them cannot be tracked. Alpha and number responses name the contact list
    `additionalContactEmailAddresses`; RCS
    responses (like every request) say `additionalContactEmails`. Both are read; writing back
    uses the name the spec gives for the request's type.
    """

    id: str
    type: Open[ResourceRequestType]
    status: Open[ResourceRequestStatus] | None = None
    country_code: str | None = Field(None, alias="countryCode")
    sender_name: str | None = Field(None, alias="senderName")
    requested_by_email_address: str | None = Field(None, alias="requestedByEmailAddress")
    additional_contact_emails: list[str] | None = Field(
        None,
        validation_alias=AliasChoices(_EMAILS_IN_RESPONSES, _EMAILS_IN_REQUESTS),
        serialization_alias=_EMAILS_IN_RESPONSES,
    )
    requested_date: InfobipDateTime | None = Field(None, alias="requestedDate")
    traffic_origin: Open[TrafficOrigin] | None = Field(None, alias="trafficOrigin")
    traffic_type: Open[TrafficType] | None = Field(None, alias="trafficType")
    excluded_carriers: list[str] | None = Field(None, alias="excludedCarriers")
    number_type: Open[ResourceNumberType] | None = Field(None, alias="numberType")
    capabilities: list[Open[ResourceNumberCapability]] | None = None
    quantity: int | None = None
    note: str | None = None
    numbers: list[ProcuredNumber] | None = None
    requirements_feedback: list[RequirementFeedback] | None = Field(None, alias="requirementsFeedback")
    requirements: list[FilledRequirement] | None = None
    platform: Platform | None = None

    @model_serializer(mode="wrap")
    def _emails_name_by_type(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        data = handler(self)
        if info.by_alias and self.type == ResourceRequestType.RCS_SENDER_LAUNCH and _EMAILS_IN_RESPONSES in data:
            data[_EMAILS_IN_REQUESTS] = data.pop(_EMAILS_IN_RESPONSES)
        return data


# ---- Owned resources and coverage ------------------------------------------------------------


class IbResourceType(StrEnum):
    ALPHANUMERIC = "ALPHANUMERIC"
    NUMBER = "NUMBER"
    RCS_RESOURCE = "RCS_RESOURCE"
    VIBER_RESOURCE = "VIBER_RESOURCE"
    APPLE_RESOURCE = "APPLE_RESOURCE"
    OPEN_CHANNEL_RESOURCE = "OPEN_CHANNEL_RESOURCE"
    KAKAO_RESOURCE = "KAKAO_RESOURCE"
    FACEBOOK_RESOURCE = "FACEBOOK_RESOURCE"


class ResourcesFilter(InfobipModel):
    """Body of the owned-resources search.

    The published document names only `resourceType`; its per-type variants are not included,
    so further filter fields are passed as extra keyword arguments with their wire names.
    """

    resource_type: IbResourceType = Field(alias="resourceType")


class OwnedResource(InfobipModel):
    """One owned resource (number, alpha sender, RCS/Viber/Apple/open channel sender)."""

    resource_type: Open[IbResourceType] | None = Field(None, alias="resourceType")
    number: str | None = None
    number_key: str | None = Field(None, alias="numberKey")
    sender_name: str | None = Field(None, alias="senderName")
    resource: str | None = None
    display_name: str | None = Field(None, alias="displayName")
    original_resource_name: str | None = Field(None, alias="originalResourceName")
    shared: bool | None = None
    platform: Platform | None = None
    number_type: str | None = Field(None, alias="numberType")
    country_code: str | None = Field(None, alias="countryCode")
    country_name: str | None = Field(None, alias="countryName")
    capabilities: list[str] | None = None


class CoverageQuery(InfobipModel):
    """Body of the coverage lookup; like ResourcesFilter, type-specific fields go as extras."""

    resource_type: IbResourceType = Field(alias="resourceType")


class NetworkView(InfobipModel):
    mcc_mnc: str | None = Field(None, alias="mccNnc")  # sic: the spec spells it `mccNnc`
    network_name: str | None = Field(None, alias="networkName")


class ChannelCoverage(InfobipModel):
    outbound: list[NetworkView] | None = None
    inbound: bool | None = None


class ResourceCapability(InfobipModel):
    channel: str | None = None
    coverage: ChannelCoverage | None = None


class ResourceCoverage(OwnedResource):
    """Coverage lookup answer: the resource as owned, with where it reaches per channel and network."""

    capabilities: list[ResourceCapability] | None = None  # type: ignore[assignment]


# ---- Inbound message configurations (keywords) ----------------------------------------------


class InboundChannel(StrEnum):
    SMS = "SMS"
    MMS = "MMS"
    WHATSAPP = "WHATSAPP"
    RCS = "RCS"
    VIBER_BM = "VIBER_BM"
    APPLE_MB = "APPLE_MB"
    LINE_OA = "LINE_OA"
    KAKAO_SANGDAM = "KAKAO_SANGDAM"
    MESSENGER = "MESSENGER"
    INSTAGRAM_DM = "INSTAGRAM_DM"
    ZALO_ZNS = "ZALO_ZNS"
    TELEGRAM = "TELEGRAM"
    VIBER_BOT = "VIBER_BOT"
    EMAIL = "EMAIL"
    ZALO_FOLLOWER = "ZALO_FOLLOWER"
    OPEN_CHANNEL = "OPEN_CHANNEL"
    TIKTOK_BM = "TIKTOK_BM"


class InboundConfigurationRequest(InfobipModel):
    """Create or change a keyword configuration. Channel-specific fields (e.g. the number) are
    not in the published document's cut; pass them as extras with their wire names."""

    channel: InboundChannel
    keyword: str | None = Field(None, max_length=50)
    username: str | None = None
    unset: list[str] | None = None  # USERNAME, PLATFORM, FORWARDING, ...


class InboundAction(InfobipModel):
    """Forwarding action; type-specific fields (URL, e-mail, ...) are kept as extras."""

    type: str


class EnabledFlag(InfobipModel):
    enabled: bool


class DeliveryTimeWindow(InfobipModel):
    from_: str = Field(alias="from")
    to: str
    days: list[str]
    delivery_time_zone: str | None = Field(None, alias="deliveryTimeZone")


class AutoResponse(InfobipModel):
    message: str
    sender: str | None = None
    delivery_time_window: DeliveryTimeWindow | None = Field(None, alias="deliveryTimeWindow")


class BlockListConfiguration(InfobipModel):
    type: str
    level: str


class InboundConfiguration(InfobipModel):
    configuration_key: str = Field(alias="configurationKey")
    channel: Open[InboundChannel] | None = None
    keyword: str | None = None
    username: str | None = None
    platform: Platform | None = None
    forwarding: InboundAction | None = None
    conversations: EnabledFlag | None = None
    answers: EnabledFlag | None = None
    auto_response: AutoResponse | None = Field(None, alias="autoResponse")
    block_list_configuration: BlockListConfiguration | None = Field(None, alias="blockListConfiguration")


# ---- Numbers ---------------------------------------------------------------------------------


class NumberCapability(StrEnum):
    SMS = "SMS"
    VOICE = "VOICE"
    MMS = "MMS"
    WHATSAPP = "WHATSAPP"
    WHATSAPP_VOICE = "WHATSAPP_VOICE"


class NumberPrice(Price, InfobipModel):
    """A number's price: the domain's `Price`, whose names are Infobip's, read as a wire model."""


class EditPermissions(InfobipModel):
    can_edit_number: bool | None = Field(None, alias="canEditNumber")
    can_edit_configuration: bool | None = Field(None, alias="canEditConfiguration")


class VoiceSetup(InfobipModel):
    application_id: str | None = Field(None, alias="applicationId")
    entity_id: str | None = Field(None, alias="entityId")
    action: InboundAction | None = None


class Number(InfobipModel):
    """A number, available (with its price) or owned."""

    number_key: str | None = Field(None, alias="numberKey")
    number: str | None = None
    country: str | None = None
    country_name: str | None = Field(None, alias="countryName")
    type: str | None = None  # VIRTUAL_LONG_NUMBER, SHORT_CODE, ... (a long, growing list)
    capabilities: list[Open[NumberCapability]] | None = None
    shared: bool | None = None
    price: NumberPrice | None = None
    network: str | None = None
    keywords: list[str] | None = None
    voice_setup: VoiceSetup | None = Field(None, alias="voiceSetup")
    reservation_status: str | None = Field(None, alias="reservationStatus")
    additional_setup_required: bool | None = Field(None, alias="additionalSetupRequired")
    edit_permissions: EditPermissions | None = Field(None, alias="editPermissions")
    note: str | None = None
    application_id: str | None = Field(None, alias="applicationId")
    entity_id: str | None = Field(None, alias="entityId")


class NumberList(InfobipModel):
    """A `page`/`limit` list of numbers: `numberCount` is the total, not this page's size."""

    numbers: list[Number] = Field(default_factory=list)
    number_count: int = Field(0, alias="numberCount")


class NumberPurchase(InfobipModel):
    """Buy one available number, by `numberKey` or by `number`."""

    number_key: str | None = Field(None, alias="numberKey")
    number: str | None = None
    application_id: str | None = Field(None, alias="applicationId", max_length=255)
    entity_id: str | None = Field(None, alias="entityId", max_length=255)


class NumberUpdate(InfobipModel):
    application_id: str = Field(alias="applicationId", min_length=1)
    entity_id: str | None = Field(None, alias="entityId")


class AvailableNumbersQuery(QueryParameters):
    """The query of the numbers for sale: filters, and a `page`/`limit` page. `number` filters on
    digits the number contains."""

    country: str | None = None
    capabilities: list[Open[NumberCapability]] | None = None
    state: str | None = None
    npa: int | None = None
    nxx: int | None = None
    number: str | None = None
    page: int | None = None
    limit: int | None = None


class OwnedNumbersQuery(QueryParameters):
    """The query of the account's numbers: `number` (digits it contains), and a `page`/`limit` page."""

    number: str | None = None
    page: int | None = None
    limit: int | None = None


# ---- Applications, entities, associations ----------------------------------------------------


class Application(InfobipModel):
    application_id: str = Field(alias="applicationId", max_length=255)
    application_name: str | None = Field(None, alias="applicationName", max_length=255)


class ApplicationUpdate(InfobipModel):
    application_name: str | None = Field(None, alias="applicationName", max_length=255)


class Entity(InfobipModel):
    entity_id: str = Field(alias="entityId", max_length=255)
    entity_name: str | None = Field(None, alias="entityName", max_length=255)


class EntityUpdate(InfobipModel):
    entity_name: str | None = Field(None, alias="entityName", max_length=255)


class AssociationResourceType(StrEnum):
    NUMBER = "NUMBER"
    DOMAIN = "DOMAIN"
    ALPHA = "ALPHA"
    RCS_RESOURCE = "RCS_RESOURCE"
    APPLE_RESOURCE = "APPLE_RESOURCE"


class AssociationChannel(StrEnum):
    SMS = "SMS"
    MMS = "MMS"
    EMAIL = "EMAIL"
    WHATSAPP = "WHATSAPP"
    RCS = "RCS"
    APPLE = "APPLE"


class ResourceAssociationRequest(InfobipModel):
    """Body of create and delete association. `resource_id` is the numberKey for numbers and the
    domain name for domains."""

    resource_type: AssociationResourceType = Field(alias="resourceType")
    channel: AssociationChannel
    application_id: str = Field(alias="applicationId", max_length=255)
    # Required by the contract, and null when the resource has no entity.
    entity_id: str | None = Field(alias="entityId", max_length=255)
    resource_id: str = Field(alias="resourceId", max_length=255)

    def to_wire(self) -> dict[str, Any]:
        body = super().to_wire()
        body.setdefault("entityId", None)  # "no entity" is said with null, never by leaving it out
        return body


class ResourceAssociation(InfobipModel):
    resource_type: Open[AssociationResourceType] = Field(alias="resourceType")
    channel: Open[AssociationChannel]
    application_id: str = Field(alias="applicationId")
    resource_id: str = Field(alias="resourceId")
    entity_id: str | None = Field(None, alias="entityId")


# ---- Webhook subscriptions, profiles, security, certificates ---------------------------------


class SubscriptionChannel(StrEnum):
    """Only REGISTRATION matters to the bot; the others are listed for completeness."""

    AGENT_OS = "AGENT_OS"
    APPLE_MESSAGES_FOR_BUSINESS = "APPLE_MESSAGES_FOR_BUSINESS"
    BLOCKLIST = "BLOCKLIST"
    CUSTOMER_ENGAGEMENT = "CUSTOMER_ENGAGEMENT"
    EMAIL = "EMAIL"
    FACEBOOK = "FACEBOOK"
    KAKAO_ALIM = "KAKAO_ALIM"
    KAKAO_BRAND_MESSAGE = "KAKAO_BRAND_MESSAGE"
    LINE = "LINE"
    MMS = "MMS"
    MOBILE_IDENTITY = "MOBILE_IDENTITY"
    MOBILE_PUSH = "MOBILE_PUSH"
    NUMBER_LOOKUP = "NUMBER_LOOKUP"
    OPEN_CHANNEL = "OPEN_CHANNEL"
    RCS = "RCS"
    REGISTRATION = "REGISTRATION"
    SMS = "SMS"
    VIBER = "VIBER"
    VOICE_VIDEO = "VOICE_VIDEO"
    WEB_PUSH = "WEB_PUSH"
    WHATSAPP = "WHATSAPP"
    ZALO = "ZALO"


class RegistrationEvent(StrEnum):
    """Events of the REGISTRATION channel; the bot subscribes to the two resource-request ones."""

    RESOURCE_REQUEST_STATUS_UPDATE = "RESOURCE_REQUEST_STATUS_UPDATE"
    RESOURCE_REQUEST_REMINDER = "RESOURCE_REQUEST_REMINDER"
    RESOURCE_REQUEST_FOC_DATE_CHANGE = "RESOURCE_REQUEST_FOC_DATE_CHANGE"
    AI_CAMPAIGN_BUILDER = "AI_CAMPAIGN_BUILDER"
    AI_CAMPAIGN_FEEDBACK = "AI_CAMPAIGN_FEEDBACK"
    BRAND_AUTH_UPDATE = "BRAND_AUTH_UPDATE"
    BRAND_STATUS_UPDATE = "BRAND_STATUS_UPDATE"
    BRAND_VET_UPDATE = "BRAND_VET_UPDATE"
    CAMPAIGN_NETWORK_STATUS_UPDATE = "CAMPAIGN_NETWORK_STATUS_UPDATE"
    CAMPAIGN_STATUS_UPDATE = "CAMPAIGN_STATUS_UPDATE"


class CredentialsType(StrEnum):
    BASIC = "BASIC"
    HMAC = "HMAC"
    OAUTH = "OAUTH"
    CUSTOM = "CUSTOM"


class HmacAlgorithm(StrEnum):
    HMAC_MD5 = "HMAC_MD5"
    HMAC_SHA_1 = "HMAC_SHA_1"
    HMAC_SHA_224 = "HMAC_SHA_224"
    HMAC_SHA_256 = "HMAC_SHA_256"
    HMAC_SHA_384 = "HMAC_SHA_384"
    HMAC_SHA_512 = "HMAC_SHA_512"


class CertificateStatus(StrEnum):
    PROCESSING = "PROCESSING"
    READY = "READY"
    EXPIRED = "EXPIRED"


# Secrets are kept out of repr (repr=False) so that logging a model never shows them.


class BasicCredentials(InfobipModel):
    username: str
    password: str = Field(repr=False)


class HmacCredentials(InfobipModel):
    secret_key: str = Field(alias="secretKey", repr=False)
    algorithm: Open[HmacAlgorithm]


class OauthCredentials(InfobipModel):
    token_url: str = Field(alias="tokenUrl")
    grant_type: str = Field(alias="grantType")
    client_id: str | None = Field(None, alias="clientId")
    client_secret: str | None = Field(None, alias="clientSecret", repr=False)
    scope: str | None = None
    username: str | None = None
    password: str | None = Field(None, repr=False)
    resource: str | None = None
    refresh_token: str | None = Field(None, alias="refreshToken", repr=False)
    headers: dict[str, str] | None = None


# Tried in this order (OAuth needs tokenUrl+grantType, HMAC secretKey+algorithm, Basic only
# username+password), so an OAuth payload with a username is not read as Basic. Credentials in a
# shape none of them fits are kept as a plain dict rather than failing the whole answer.
Credentials = Annotated[OauthCredentials | HmacCredentials | BasicCredentials | dict[str, Any], _LEFT_TO_RIGHT]


class SecuritySettingsUpdate(InfobipModel):
    type: Open[CredentialsType] | None = None
    credentials: Credentials | None = None


class SecuritySettings(SecuritySettingsUpdate):
    """How Infobip authenticates its webhook calls to us (create body and get answer)."""

    auth_id: str = Field(alias="authId", min_length=1, max_length=255)


class SecurityRef(InfobipModel):
    auth_id: str | None = Field(None, alias="authId")


class WebhookTarget(InfobipModel):
    notify_url: str = Field(alias="notifyUrl", max_length=512)
    content_type: str | None = Field(None, alias="contentType")


class _ProfileSettings(InfobipModel):
    webhook: WebhookTarget | None = None
    client_certificate_id: str | None = Field(None, alias="clientCertificateId")
    max_bucket_size: int | None = Field(None, alias="maxBucketSize")
    window_size: int | None = Field(None, alias="windowSize")
    connect_timeout: int | None = Field(None, alias="connectTimeout")  # milliseconds
    read_timeout: int | None = Field(None, alias="readTimeout")  # milliseconds
    enabled_ssl_protocols: list[str] | None = Field(None, alias="enabledSSLProtocols")
    headers: dict[str, str] | None = None
    response_regex: str | None = Field(None, alias="responseRegex")
    response_body_regex: str | None = Field(None, alias="responseBodyRegex")
    rate_limit: int | None = Field(None, alias="rateLimit")


class ProfileRequest(_ProfileSettings):
    """Create a delivery profile: where and how Infobip sends webhooks."""

    profile_id: str = Field(alias="profileId", min_length=1, max_length=255)
    security: SecuritySettings | None = None


class ProfileUpdate(_ProfileSettings):
    security: SecurityRef | None = None


class Profile(_ProfileSettings):
    profile_id: str | None = Field(None, alias="profileId")
    security: SecurityRef | None = None


class ProfileRef(InfobipModel):
    profile_id: str | None = Field(None, alias="profileId")
    security: SecurityRef | None = None


class ApplicationEntityPair(InfobipModel):
    application_id: str | None = Field(None, alias="applicationId")
    entity_id: str | None = Field(None, alias="entityId")
    calls_configuration_id: str | None = Field(None, alias="callsConfigurationId")


class FormatAwareEvent(InfobipModel):
    event: str
    format: str


SubscriptionEvent = Open[RegistrationEvent] | FormatAwareEvent


class _SubscriptionFields(InfobipModel):
    name: str | None = None
    events: list[SubscriptionEvent]
    criteria: list[ApplicationEntityPair] | None = None
    resources: list[str] | None = None
    users: list[str] | None = None


class SubscriptionRequest(_SubscriptionFields):
    subscription_id: str = Field(alias="subscriptionId", min_length=1, max_length=255)
    profile: ProfileRequest


class ProfileId(InfobipModel):
    profile_id: str = Field(alias="profileId", min_length=1)


class SubscriptionUpdate(_SubscriptionFields):
    profile: ProfileId


class Subscription(InfobipModel):
    subscription_id: str | None = Field(None, alias="subscriptionId")
    name: str | None = None
    profile: ProfileRef | None = None
    events: list[SubscriptionEvent] | None = None
    criteria: list[ApplicationEntityPair] | None = None
    resources: list[str] | None = None
    users: list[str] | None = None


class SubscriptionRef(InfobipModel):
    subscription_id: str | None = Field(None, alias="subscriptionId")
    profile: ProfileRef | None = None


class CertificateUpload(InfobipModel):
    certificate_id: str = Field(alias="certificateId", min_length=1, max_length=255)
    certificate_content: str = Field(alias="certificateContent", repr=False)  # base64
    passphrase: str | None = Field(None, repr=False)  # base64


class CertificateDetails(InfobipModel):
    certificate_id: str | None = Field(None, alias="certificateId")
    issued_by: str | None = Field(None, alias="issuedBy")
    issued_to: str | None = Field(None, alias="issuedTo")
    valid_from: int | None = Field(None, alias="validFrom")  # epoch milliseconds
    valid_until: int | None = Field(None, alias="validUntil")  # epoch milliseconds
    certificate_status: Open[CertificateStatus] | None = Field(None, alias="certificateStatus")
    serial_number: str | None = Field(None, alias="serialNumber")


class CertificateStatusInfo(InfobipModel):
    certificate_id: str | None = Field(None, alias="certificateId")
    status: Open[CertificateStatus] | None = None


class CertificateRef(InfobipModel):
    certificate_id: str | None = Field(None, alias="certificateId")


class CertificatesQuery(QueryParameters):
    """The query of both certificate pages, details and statuses: a search, an order
    (`direction` ASC or DESC) and a `page`/`size` page."""

    search: str | None = None
    sort_by: str | None = Field(None, alias="sortBy")
    direction: str | None = None
    page: int | None = None
    size: int | None = None


class ConnectionTestRequest(InfobipModel):
    certificate_id: str = Field(alias="certificateId", min_length=1, max_length=255)
    webhook_url: str = Field(alias="webhookUrl")


class ConnectionTestResult(InfobipModel):
    certificate_id: str | None = Field(None, alias="certificateId")
    webhook_url: str | None = Field(None, alias="webhookUrl")
    result: str | None = None  # SUCCESS | FAIL
    fail_reasons: list[str] | None = Field(None, alias="failReasons")
    hint: str | None = None


# ---- Webhooks sent by Infobip ----------------------------------------------------------------


class StatusChangeContent(InfobipModel):
    id: str
    status: Open[ResourceRequestStatus]
    type: Open[ResourceRequestType] | None = None
    numbers: list[ProcuredNumber] | None = None
    requirements_feedback: list[RequirementFeedback] | None = Field(None, alias="requirementsFeedback")
    note: str | None = None


class _WebhookResult(InfobipModel):
    """A webhook result; parse_webhook keeps it as it was sent, to be stored as the provider said it."""

    _as_sent: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def as_sent(self) -> dict[str, Any]:
        return self._as_sent or self.to_wire()

    def keep_as_sent(self, result: dict[str, Any]) -> None:
        self._as_sent = result


class StatusChange(_WebhookResult):
    """One `RESOURCE_REQUEST_STATUS_UPDATE` result: sent for UPDATE_REQUESTED*, REJECTED and
    COMPLETED only; the other statuses are seen only by reading the request."""

    event: str
    received_at: InfobipDateTime = Field(alias="receivedAt")
    content: StatusChangeContent
    platform: Platform | None = None


class StatusChangeNotification(InfobipModel):
    results: list[StatusChange]


class ReminderContent(InfobipModel):
    id: str
    status: Open[ResourceRequestStatus]
    type: Open[ResourceRequestType]
    days_until_rejection: int = Field(alias="daysUntilRejection")


class Reminder(_WebhookResult):
    """One `RESOURCE_REQUEST_REMINDER` result: the request waits for the user's update.

    The spec's reminder carries no `receivedAt` or `platform`; they are read when present.
    """

    event: str
    content: ReminderContent
    received_at: InfobipDateTime | None = Field(None, alias="receivedAt")
    platform: Platform | None = None


class ReminderNotification(InfobipModel):
    results: list[Reminder]
