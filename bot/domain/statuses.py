"""The life cycle of a resource request: display groups, allowed actions, ordering.

Every function takes the request's provider. Infobip's eleven statuses are known here; CM.com's
are open strings mapped onto the same groups (`cm_group`). Whoever the provider, the store, the
threads and the Home tab only ever ask these functions.

Groups follow Infobip's web interface (Pending yellow, Action required red, Rejected red,
Canceled grey, Completed green). Infobip may add statuses: an unknown value is shown as it is,
in the Pending group, allows no action and is never final, so it can neither hide a real final
status nor offer a button Infobip would refuse.

Ordering: which status should the thread show when events arrive late or out of order?
Every observation is a `StatusChange` carrying the time the status happened (the webhook's
`receivedAt` or the request's update time; the time we saw it only when nothing better exists).
`newer_status(current, incoming)` decides, in this order:

1. Nothing shown yet: the incoming status wins.
2. The shown status is final (COMPLETED, REJECTED, CANCELED): a request never leaves a final
   status, so a non-final event is stale whatever its time says. Only a strictly newer final
   status replaces it (Infobip correcting itself, e.g. CANCELED after a late COMPLETED).
3. The incoming status is final (and the shown one is not): it wins even if its time is older,
   because clocks of different sources (webhook vs. read-back) may be skewed and a final status
   can only be the last word.
4. Otherwise the newer time wins. This is what lets an update legitimately move the request
   "back" from UPDATE_REQUESTED to AUTOMATIC_VALIDATION: a pure rank would forbid it, time allows it.
5. Same time: the status further along the life cycle (`status_rank`) wins; a tie keeps the
   shown status, so two equal events never flap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from bot.domain.approvals import APPROVAL_DENIED, WAITING_APPROVAL
from bot.domain.submissions import NOT_SUBMITTED, UNCONFIRMED


class RequestStatus(StrEnum):
    """Infobip's eleven statuses, as the contract lists them (its models use this enum)."""

    PENDING = "PENDING"
    AUTOMATIC_VALIDATION = "AUTOMATIC_VALIDATION"
    PENDING_REVIEW = "PENDING_REVIEW"
    IN_REVIEW = "IN_REVIEW"
    IN_PROGRESS = "IN_PROGRESS"
    UPDATE_REQUESTED = "UPDATE_REQUESTED"
    UPDATE_REQUESTED_BY_INTERNAL_REVIEWER = "UPDATE_REQUESTED_BY_INTERNAL_REVIEWER"
    COMPLETED = "COMPLETED"
    REJECTED = "REJECTED"
    CANCELED = "CANCELED"
    CANCEL_REQUESTED = "CANCEL_REQUESTED"


class StatusGroup(StrEnum):
    """The five groups of Infobip's web interface; the value is the label people see."""

    PENDING = "Pending"
    ACTION_REQUIRED = "Action required"
    REJECTED = "Rejected"
    CANCELED = "Canceled"
    COMPLETED = "Completed"


@dataclass(frozen=True)
class GroupStyle:
    color: str
    emoji: str


GROUP_STYLES: dict[StatusGroup, GroupStyle] = {
    StatusGroup.PENDING: GroupStyle("yellow", "🟡"),
    StatusGroup.ACTION_REQUIRED: GroupStyle("red", "🔴"),
    StatusGroup.REJECTED: GroupStyle("red", "⛔"),
    StatusGroup.CANCELED: GroupStyle("grey", "⚪"),
    StatusGroup.COMPLETED: GroupStyle("green", "🟢"),
}

# Unknown statuses land here: "still being processed" promises nothing and offers no action.
DEFAULT_GROUP = StatusGroup.PENDING

_GROUPS: dict[RequestStatus, StatusGroup] = {
    RequestStatus.PENDING: StatusGroup.PENDING,
    RequestStatus.AUTOMATIC_VALIDATION: StatusGroup.PENDING,
    RequestStatus.PENDING_REVIEW: StatusGroup.PENDING,
    RequestStatus.IN_REVIEW: StatusGroup.PENDING,
    RequestStatus.IN_PROGRESS: StatusGroup.PENDING,
    RequestStatus.UPDATE_REQUESTED: StatusGroup.ACTION_REQUIRED,
    RequestStatus.UPDATE_REQUESTED_BY_INTERNAL_REVIEWER: StatusGroup.ACTION_REQUIRED,
    RequestStatus.REJECTED: StatusGroup.REJECTED,
    # Not final yet, but the requester has asked to stop: shown with the canceled ones.
    RequestStatus.CANCEL_REQUESTED: StatusGroup.CANCELED,
    RequestStatus.CANCELED: StatusGroup.CANCELED,
    RequestStatus.COMPLETED: StatusGroup.COMPLETED,
}

_LABELS: dict[RequestStatus, str] = {
    RequestStatus.PENDING: "Pending",
    RequestStatus.AUTOMATIC_VALIDATION: "Automatic validation",
    RequestStatus.PENDING_REVIEW: "Waiting for review",
    RequestStatus.IN_REVIEW: "In review",
    RequestStatus.IN_PROGRESS: "In progress",
    RequestStatus.UPDATE_REQUESTED: "Update requested",
    RequestStatus.UPDATE_REQUESTED_BY_INTERNAL_REVIEWER: "Update requested by the reviewer",
    RequestStatus.COMPLETED: "Completed",
    RequestStatus.REJECTED: "Rejected",
    RequestStatus.CANCELED: "Canceled",
    RequestStatus.CANCEL_REQUESTED: "Cancellation requested",
}

FINAL_STATUSES = frozenset({RequestStatus.COMPLETED, RequestStatus.REJECTED, RequestStatus.CANCELED})

# Infobip accepts PATCH and cancel only here (else 400 RR-INVALID-STATUS400).
EDITABLE_STATUSES = frozenset({RequestStatus.UPDATE_REQUESTED, RequestStatus.UPDATE_REQUESTED_BY_INTERNAL_REVIEWER})

# Position in the life cycle, used only to break ties between events with the same time.
_RANKS: dict[RequestStatus, int] = {
    RequestStatus.PENDING: 10,
    RequestStatus.PENDING_REVIEW: 20,
    RequestStatus.AUTOMATIC_VALIDATION: 30,
    RequestStatus.UPDATE_REQUESTED: 40,
    RequestStatus.IN_REVIEW: 50,
    RequestStatus.UPDATE_REQUESTED_BY_INTERNAL_REVIEWER: 60,
    RequestStatus.IN_PROGRESS: 70,
    RequestStatus.CANCEL_REQUESTED: 80,
    RequestStatus.COMPLETED: 100,
    RequestStatus.REJECTED: 100,
    RequestStatus.CANCELED: 100,
}
UNKNOWN_RANK = 0


@dataclass(frozen=True)
class StatusInfo:
    """How to show one status value."""

    raw: str
    known: bool
    group: StatusGroup
    label: str
    color: str
    emoji: str
    final: bool

    @property
    def badge(self) -> str:
        """E.g. "🟡 In review" (plain text: escape before putting an unknown value in mrkdwn)."""
        return f"{self.emoji} {self.label}"


def parse_status(status: str | None) -> RequestStatus | None:
    """The known status for a raw value, or None for anything Infobip added since."""
    try:
        return RequestStatus(str(status or "").strip().upper())
    except ValueError:
        return None


INFOBIP = "infobip"
CM = "cm"

# CM.com's statuses are an open set of strings (assumed names: see bot/providers/cm/wire.py),
# compared without case or punctuation; anything else is still being processed.
_CM_GROUPS = {
    "pending": StatusGroup.PENDING,
    "inreview": StatusGroup.PENDING,
    "processing": StatusGroup.PENDING,
    "accepted": StatusGroup.COMPLETED,
    "completed": StatusGroup.COMPLETED,
    "rejected": StatusGroup.REJECTED,
    "cancelled": StatusGroup.CANCELED,
    "canceled": StatusGroup.CANCELED,
}
_FINAL_GROUPS = frozenset({StatusGroup.COMPLETED, StatusGroup.REJECTED, StatusGroup.CANCELED})


def cm_group(status: str | None) -> StatusGroup | None:
    """The group of a CM.com status, or None for one this bot does not know."""
    return _CM_GROUPS.get("".join(ch for ch in str(status or "").lower() if ch.isalnum()))


# The bot's own statuses for a submission whose answer was lost (domain/submissions.py) and for
# one that waits for an approver's decision (domain/approvals.py): (group, label, final). No
# provider sends them, and none allows an action at the provider.
_SUBMISSION_STATUSES = {
    UNCONFIRMED: (StatusGroup.PENDING, "Checking with Infobip", False),
    NOT_SUBMITTED: (StatusGroup.CANCELED, "Not submitted", True),
    WAITING_APPROVAL: (StatusGroup.PENDING, "Waiting for approval", False),
    APPROVAL_DENIED: (StatusGroup.CANCELED, "Denied", True),
}


def describe_status(status: str | None, provider: str = INFOBIP) -> StatusInfo:
    """Group, label, colour and emoji for a status; an unknown one keeps its raw value as label."""
    raw = str(status or "").strip() or "UNKNOWN"
    if raw in _SUBMISSION_STATUSES:
        group, label, final = _SUBMISSION_STATUSES[raw]
        style = GROUP_STYLES[group]
        return StatusInfo(raw, True, group, label, style.color, style.emoji, final)
    if provider == CM:
        cm = cm_group(raw)
        style = GROUP_STYLES[cm or DEFAULT_GROUP]
        return StatusInfo(raw, cm is not None, cm or DEFAULT_GROUP, raw, style.color, style.emoji, cm in _FINAL_GROUPS)
    known = parse_status(raw)
    group = _GROUPS[known] if known else DEFAULT_GROUP
    style = GROUP_STYLES[group]
    label = _LABELS[known] if known else raw
    return StatusInfo(raw, known is not None, group, label, style.color, style.emoji, known in FINAL_STATUSES)


def status_badge(status: str | None, provider: str = INFOBIP) -> str:
    return describe_status(status, provider).badge


def is_final(status: str | None, provider: str = INFOBIP) -> bool:
    return describe_status(status, provider).final


def can_update(status: str | None, provider: str = INFOBIP) -> bool:
    """Only Infobip asks for corrections; CM.com accepts or rejects."""
    return provider == INFOBIP and parse_status(status) in EDITABLE_STATUSES


def can_cancel(status: str | None, provider: str = INFOBIP) -> bool:
    """Infobip: only while an update is requested. CM.com: until the request is final. Never while
    the provider has nothing to cancel (waiting for approval, not submitted)."""
    if str(status or "") in _SUBMISSION_STATUSES:
        return False
    if provider == CM:
        return not is_final(status, provider)
    return parse_status(status) in EDITABLE_STATUSES


def status_rank(status: str | None, provider: str = INFOBIP) -> int:
    if provider == CM:
        return 100 if is_final(status, provider) else 10
    known = parse_status(status)
    return _RANKS[known] if known else UNKNOWN_RANK


@dataclass(frozen=True)
class StatusChange:
    """A status observed at the time it happened; a naive time is taken to be UTC."""

    status: str
    at: datetime
    provider: str = INFOBIP

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            object.__setattr__(self, "at", self.at.replace(tzinfo=UTC))

    @property
    def final(self) -> bool:
        return is_final(self.status, self.provider)


def should_replace(current: StatusChange | None, incoming: StatusChange) -> bool:
    """True when `incoming` should become the shown status (rules in the module docstring)."""
    if current is None:
        return True
    if current.final:
        return incoming.final and incoming.at > current.at
    if incoming.final:
        return True
    if incoming.at != current.at:
        return incoming.at > current.at
    return status_rank(incoming.status, incoming.provider) > status_rank(current.status, current.provider)


def newer_status(current: StatusChange | None, incoming: StatusChange) -> StatusChange:
    """The status change to show after `incoming` arrives."""
    return incoming if should_replace(current, incoming) else current  # type: ignore[return-value]
