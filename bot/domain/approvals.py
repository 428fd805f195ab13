"""Approvals and spend control: which changes wait for an approver's decision, who may decide, and
when an undecided one expires. Pure: the settings' values come in as arguments.

Purchases (the Buy of a number on offer), number, alphanumeric sender and RCS sender launch
requests filed through the request forms, CM.com orders and number cancellations are wired. A
request that waits (a number, sender or RCS request, a CM.com order) has its thread at once, with the
bot's own status WAITING_APPROVAL, and APPROVAL_DENIED once denied or expired.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

PURCHASE = "purchase"
NUMBER_REQUEST = "number-request"
SENDER_REQUEST = "sender-request"
RCS_REQUEST = "rcs-request"
CM_ORDER = "cm-order"
CANCEL_NUMBER = "cancel-number"
APPROVAL_KINDS = frozenset({PURCHASE, NUMBER_REQUEST, SENDER_REQUEST, RCS_REQUEST, CM_ORDER, CANCEL_NUMBER})
DEFAULT_APPROVAL_FOR = frozenset({PURCHASE, NUMBER_REQUEST, CM_ORDER})
EXPIRED_REASON = "expired"
# The bot's own statuses of a request that waits for a decision, and of one denied (or expired).
WAITING_APPROVAL = "WAITING_APPROVAL"
APPROVAL_DENIED = "APPROVAL_DENIED"


class ApprovalState(StrEnum):
    WAITING = "waiting"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"


def needs_approval(
    kind: str,
    *,
    approvers: Collection[str],
    approval_for: Collection[str],
    monthly_price: float | Decimal | None = None,
    free_below: float | Decimal = 0,
) -> bool:
    """Whether `kind` of change waits for a decision: approvers are set, the kind is listed, and
    (for a purchase) its monthly price is not below `free_below`. An unknown price is not free."""
    if not approvers or kind not in approval_for:
        return False
    if kind == PURCHASE and monthly_price is not None and Decimal(str(monthly_price)) < Decimal(str(free_below)):
        return False
    return True


def may_decide(decider: str, requester: str, approvers: Collection[str]) -> bool:
    """Only approvers decide, and never on what they asked for themselves."""
    return decider in approvers and decider != requester


def deciders(requester: str, approvers: Collection[str]) -> list[str]:
    """Who can decide on what `requester` asked for, in a stable order."""
    return sorted(a for a in approvers if a != requester)


def expires_at(asked_at: datetime, hours: float) -> datetime:
    return asked_at + timedelta(hours=hours)


def expired(expires: datetime, now: datetime) -> bool:
    return now >= expires


def halfway_passed(asked_at: datetime, expires: datetime, now: datetime) -> bool:
    """Whether half an approval's life is over: when its approvers get their one reminder."""
    return now >= asked_at + (expires - asked_at) / 2
