"""Every Infobip operation the bot uses: method, path, documented rate limit, retry safety.

One table shared by the client (pacing, retry policy) and the sandbox (rate limits, fault
injection). Rates are copied from the contract's `x-throttling-info`; a test keeps them in sync.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    # Requests per second and burst allowed per account; None where the contract sets no limit.
    rate: float | None
    burst: int
    # Safe to resend after a timeout or 5xx: reads, PUT/DELETE, and read-only POST lookups.
    # Submit, purchase, update, cancel, upload and creates are not: their outcome is unknown.
    idempotent: bool

    @property
    def path_regex(self) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"\{[^/}]+\}", "[^/]+", self.path) + "$")


def _op(
    operation_id: str,
    method: str,
    path: str,
    rate: float | None,
    burst: int | None = None,
    *,
    idempotent: bool | None = None,
) -> Operation:
    if idempotent is None:
        idempotent = method in ("GET", "PUT", "DELETE")
    return Operation(operation_id, method, path, rate, burst or 1, idempotent)


_PER_MINUTE_100 = 100 / 60

OPERATIONS: dict[str, Operation] = {
    op.operation_id: op
    for op in [
        # Resource requests
        _op("resources-requirements-lookup", "POST", "/resources/1/requirements-lookup", 10, 10, idempotent=True),
        _op("lookup-resource-coverage", "POST", "/resources/1/coverage-lookup", 10, 10, idempotent=True),
        _op("list-resources", "POST", "/resources/1/resources", 10, 10, idempotent=True),
        _op("get-resource-requests", "GET", "/resources/1/requests", 10, 10),
        _op("submit-resource-request", "POST", "/resources/1/requests", 1),
        _op("get-resource-request", "GET", "/resources/1/requests/{id}", 10, 10),
        _op("update-resource-request", "PATCH", "/resources/1/requests/{id}", 1),
        _op("cancel-resource-request", "POST", "/resources/1/requests/{id}/cancel", 1),
        _op("upload-document", "POST", "/resources/1/documents", 1),
        _op("download-document", "GET", "/resources/1/documents/{documentId}", 1),
        _op("delete-document", "DELETE", "/resources/1/documents/{documentId}", 20, 20),
        # Inbound message configurations (keywords)
        _op("get-inbound-configurations", "GET", "/resource-management/1/inbound-message-configurations", 2, 2),
        _op("manage-inbound-configuration", "POST", "/resource-management/1/inbound-message-configurations", 2, 10),
        _op(
            "delete-inbound-configuration",
            "DELETE",
            "/resource-management/1/inbound-message-configurations/{configurationKey}",
            1,
        ),
        # Numbers (legacy error shape)
        _op("get-available-numbers", "GET", "/numbers/1/numbers/available", 1, 2),
        _op("list-owned-numbers", "GET", "/numbers/1/numbers", 1, 2),
        _op("purchase-number", "POST", "/numbers/1/numbers", 1),
        _op("get-single-owned-number", "GET", "/numbers/1/numbers/{numberKey}", 10, 10),
        _op("update-owned-number", "PUT", "/numbers/1/numbers/{numberKey}", 1),
        _op("cancel-number", "DELETE", "/numbers/1/numbers/{numberKey}", 1),
        # Applications, entities, associations (legacy error shape)
        _op("get-applications", "GET", "/provisioning/1/applications", 1),
        _op("create-application", "POST", "/provisioning/1/applications", 1),
        _op("get-application", "GET", "/provisioning/1/applications/{applicationId}", 1),
        _op("modify-application", "PUT", "/provisioning/1/applications/{applicationId}", 1),
        _op("delete-application", "DELETE", "/provisioning/1/applications/{applicationId}", 1),
        _op("get-entities", "GET", "/provisioning/1/entities", 1),
        _op("create-entity", "POST", "/provisioning/1/entities", 1),
        _op("get-entity", "GET", "/provisioning/1/entities/{entityId}", 1),
        _op("modify-entity", "PUT", "/provisioning/1/entities/{entityId}", 1),
        _op("delete-entity", "DELETE", "/provisioning/1/entities/{entityId}", 1),
        _op("get-resource-associations", "GET", "/provisioning/1/associations", 1),
        _op("create-resource-association", "POST", "/provisioning/1/associations", 1),
        _op("delete-resource-association", "DELETE", "/provisioning/1/associations", 1),
        _op("get-resource-association", "GET", "/provisioning/1/associations/single", 1),
        # Webhook subscriptions
        _op("get-subscriptions", "GET", "/subscriptions/1/subscription/{channel}", None),
        _op("create-subscription", "POST", "/subscriptions/1/subscription/{channel}", None),
        _op("get-subscription", "GET", "/subscriptions/1/subscription/{channel}/{subscriptionId}", None),
        _op("update-subscription", "PUT", "/subscriptions/1/subscription/{channel}/{subscriptionId}", None),
        _op("delete-subscription", "DELETE", "/subscriptions/1/subscription/{channel}/{subscriptionId}", None),
        _op("get-profiles", "GET", "/subscriptions/1/profiles", None),
        _op("create-profile", "POST", "/subscriptions/1/profiles", None),
        _op("get-profile", "GET", "/subscriptions/1/profiles/{profileId}", None),
        _op("update-profile", "PUT", "/subscriptions/1/profiles/{profileId}", None),
        _op("delete-profile", "DELETE", "/subscriptions/1/profiles/{profileId}", None),
        _op("get-security-settings", "GET", "/subscriptions/1/security", None),
        _op("create-security-settings", "POST", "/subscriptions/1/security", None),
        _op("get-security-setting", "GET", "/subscriptions/1/security/{authId}", None),
        _op("update-security-settings", "PUT", "/subscriptions/1/security/{authId}", None),
        _op("delete-security-settings", "DELETE", "/subscriptions/1/security/{authId}", None),
        _op("get-certificates-details-page", "GET", "/subscriptions/1/certificates", _PER_MINUTE_100),
        _op("upload-certificate", "POST", "/subscriptions/1/certificates", _PER_MINUTE_100),
        _op("get-certificate-details", "GET", "/subscriptions/1/certificates/{certificateId}", _PER_MINUTE_100),
        _op("delete-certificate", "DELETE", "/subscriptions/1/certificates/{certificateId}", _PER_MINUTE_100),
        _op("get-certificates-statuses-page", "GET", "/subscriptions/1/certificates/status", _PER_MINUTE_100),
        _op("get-certificate-status", "GET", "/subscriptions/1/certificates/status/{certificateId}", _PER_MINUTE_100),
        _op("test-connection-to-webhook", "POST", "/subscriptions/1/certificates/test/webhook", _PER_MINUTE_100),
    ]
}

# Paths whose errors use the legacy `{"requestError": {"serviceException": …}}` body. Beyond
# numbers and provisioning, the contract's own responses say so for inbound configurations,
# subscriptions, the owned-resources search and the coverage lookup.
LEGACY_ERROR_PREFIXES = (
    "/numbers/",
    "/provisioning/",
    "/resource-management/",
    "/subscriptions/",
    "/resources/1/resources",
    "/resources/1/coverage-lookup",
)


def match_operation(method: str, path: str) -> Operation | None:
    """The operation a request is for, or None for paths outside the contract."""
    method = method.upper()
    # Literal paths first, so `/associations/single` is not read as a templated one.
    candidates = [op for op in OPERATIONS.values() if op.method == method]
    candidates.sort(key=lambda op: op.path.count("{"))
    for op in candidates:
        if op.path_regex.match(path):
            return op
    return None


def uses_legacy_errors(path: str) -> bool:
    return path.startswith(LEGACY_ERROR_PREFIXES)
