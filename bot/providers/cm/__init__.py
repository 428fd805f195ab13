"""CM.com voice number requests: the client, its models and errors, and the wire names."""

from bot.providers.cm.client import (
    CmAPIError,
    CmClient,
    CmError,
    CmNotFound,
    CmTransportError,
    CmUnexpectedResponse,
    CmUnknownOutcome,
)
from bot.providers.cm.models import CmNumberRequest, CmNumberRequestCreate, LocaleOptions, OrderRestrictions
from bot.providers.cm.wire import FINAL_STATUSES, PhoneNumberType, Status

__all__ = [
    "FINAL_STATUSES",
    "CmAPIError",
    "CmClient",
    "CmError",
    "CmNotFound",
    "CmNumberRequest",
    "CmNumberRequestCreate",
    "CmTransportError",
    "CmUnexpectedResponse",
    "CmUnknownOutcome",
    "LocaleOptions",
    "OrderRestrictions",
    "PhoneNumberType",
    "Status",
]
