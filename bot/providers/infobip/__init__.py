"""Infobip provider: async client, models, errors and webhook parsing.

async with InfobipClient(base_url, api_key) as client:
    requirements = await client.lookup_requirements(AlphaRequirementsQuery(country_code="HR"))
"""

from bot.domain.requirements import DOCUMENT_CONTENT_TYPES
from bot.providers.infobip.client import (
    DEFAULT_TIMEOUT,
    DownloadedDocument,
    InfobipClient,
    iterate_numbers,
    iterate_pages,
)
from bot.providers.infobip.errors import (
    InfobipAPIError,
    InfobipError,
    InfobipNotFound,
    InfobipRateLimited,
    InfobipTransportError,
    InfobipUnexpectedResponse,
    InfobipUnknownOutcome,
)
from bot.providers.infobip.models import (
    AlphaRegistrationSubmit,
    AlphaRequirementsQuery,
    FilledRequirement,
    NumberPurchaseSubmit,
    NumberRequirementsQuery,
    Page,
    Platform,
    RcsRequirementsQuery,
    RcsSenderLaunchSubmit,
    Reminder,
    Requirement,
    RequirementsQuery,
    RequirementType,
    ResourceRequest,
    ResourceRequestStatus,
    ResourceRequestSubmit,
    ResourceRequestType,
    StatusChange,
)
from bot.providers.infobip.pacing import Pacer
from bot.providers.infobip.webhooks import WebhookParseError, parse_webhook

__all__ = [
    "DEFAULT_TIMEOUT",
    "DOCUMENT_CONTENT_TYPES",
    "AlphaRegistrationSubmit",
    "AlphaRequirementsQuery",
    "DownloadedDocument",
    "FilledRequirement",
    "InfobipAPIError",
    "InfobipClient",
    "InfobipError",
    "InfobipNotFound",
    "InfobipRateLimited",
    "InfobipTransportError",
    "InfobipUnexpectedResponse",
    "InfobipUnknownOutcome",
    "NumberPurchaseSubmit",
    "NumberRequirementsQuery",
    "Pacer",
    "Page",
    "Platform",
    "RcsRequirementsQuery",
    "RcsSenderLaunchSubmit",
    "Reminder",
    "Requirement",
    "RequirementType",
    "RequirementsQuery",
    "ResourceRequest",
    "ResourceRequestStatus",
    "ResourceRequestSubmit",
    "ResourceRequestType",
    "StatusChange",
    "WebhookParseError",
    "iterate_numbers",
    "iterate_pages",
    "parse_webhook",
]
