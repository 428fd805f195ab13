"""The life of a resource request: statuses, the steps between them, and the idle timers.

Alphanumeric and number requests start in AUTOMATIC_VALIDATION; RCS launches (the contract shows
them PENDING first, then AUTOMATIC_VALIDATION with the same kind of feedback) start in PENDING:

    PENDING -> AUTOMATIC_VALIDATION -> UPDATE_REQUESTED (feedback)  or  PENDING_REVIEW
    PENDING_REVIEW -> IN_REVIEW -> IN_PROGRESS -> COMPLETED

A reviewer may instead ask for changes (UPDATE_REQUESTED_BY_INTERNAL_REVIEWER) or reject. In
either UPDATE_REQUESTED* status the requester may update (back to validation) or cancel; a
request left idle there gets reminders after 3, 15 and 27 days and is rejected after 30, all
measured on the sandbox clock. Only UPDATE_REQUESTED*, REJECTED and COMPLETED are notified.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.sandbox.infobip.clock import SandboxClock, infobip_timestamp
from bot.sandbox.infobip.request_checks import requirement_feedback

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

NOTIFIED = frozenset({UPDATE_REQUESTED, UPDATE_REQUESTED_BY_INTERNAL_REVIEWER, REJECTED, COMPLETED})
EDITABLE = frozenset({UPDATE_REQUESTED, UPDATE_REQUESTED_BY_INTERNAL_REVIEWER})
FINAL = frozenset({COMPLETED, REJECTED, CANCELED})

REMINDER_DAYS = (3, 15, 27)
REJECT_AFTER_DAYS = 30
# *assumed* wording: the contract shows only the note of a reviewer's rejection.
IDLE_REJECTION_NOTE = "Your request has been rejected because it was not updated within 30 days."

_sequence = itertools.count(1)


@dataclass
class ResourceRequest:
    id: str
    type: str
    country_code: str
    details: dict  # the type's own fields as submitted: senderName, numberType, quantity, …
    contact_emails: list[str]
    requirements: list[dict]
    specs: list[dict]  # the requirement set the values are checked against
    platform: dict | None
    requested_at: datetime
    status: str
    status_since: datetime
    modified_at: datetime
    feedback: list[dict] = field(default_factory=list)
    note: str | None = None
    numbers: list[dict] = field(default_factory=list)
    reminders_sent: list[int] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    seq: int = field(default_factory=lambda: next(_sequence))  # breaks ties in "last modified" order

    def platform_view(self) -> dict:
        # Resources with no application belong to Infobip's `default` application.
        return dict(self.platform) if self.platform else {"applicationId": "default"}


class Lifecycle:
    """All requests of the account and every move between statuses.

    `notify_status(request)` and `notify_reminder(request, days_until_rejection)` queue
    webhooks; `fulfil(request, procured_limit)` does the work of a completion (numbers, senders)
    and returns the note to show, if any.
    """

    def __init__(
        self,
        clock: SandboxClock,
        review_mode: Callable[[], str],
        *,
        notify_status: Callable[[ResourceRequest], None],
        notify_reminder: Callable[[ResourceRequest, int], None],
        fulfil: Callable[[ResourceRequest, int | None], str | None],
    ) -> None:
        self.clock = clock
        self.review_mode = review_mode
        self.notify_status = notify_status
        self.notify_reminder = notify_reminder
        self.fulfil = fulfil
        self.requests: dict[str, ResourceRequest] = {}

    def start(self, request: ResourceRequest) -> None:
        self.requests[request.id] = request
        first = PENDING if request.type == "RCS_SENDER_LAUNCH" else AUTOMATIC_VALIDATION
        self.move(request, first)

    def move(
        self, request: ResourceRequest, status: str, *, feedback: list[dict] | None = None, note: str | None = None
    ) -> None:
        now = self.clock.now()
        request.status = status
        request.status_since = request.modified_at = now
        # Feedback belongs to the UPDATE_REQUESTED* status it came with.
        request.feedback = list(feedback or [])
        if note is not None:
            request.note = note
        if status in EDITABLE:
            request.reminders_sent = []
        request.history.append({"status": status, "at": infobip_timestamp(now)})
        if status in NOTIFIED:
            self.notify_status(request)

    def step(self, request: ResourceRequest, *, by_reviewer: bool) -> bool:
        """One step forward; False when the request waits for someone else (or is final)."""
        status = request.status
        if status == PENDING:
            self.move(request, AUTOMATIC_VALIDATION)
        elif status == AUTOMATIC_VALIDATION:
            feedback = requirement_feedback(request.specs, request.requirements)
            self.move(request, UPDATE_REQUESTED if feedback else PENDING_REVIEW, feedback=feedback)
        elif status == PENDING_REVIEW:
            self.move(request, IN_REVIEW)
        elif status == IN_REVIEW:
            if self.review_mode() == "manual" and not by_reviewer:
                return False
            self.move(request, IN_PROGRESS)
        elif status == IN_PROGRESS:
            self.complete(request)
        else:
            return False
        return True

    def request_changes(self, request: ResourceRequest, feedback: list[dict], *, internal: bool) -> None:
        self.move(request, UPDATE_REQUESTED_BY_INTERNAL_REVIEWER if internal else UPDATE_REQUESTED, feedback=feedback)

    def reject(self, request: ResourceRequest, note: str) -> None:
        self.move(request, REJECTED, note=note)

    def complete(self, request: ResourceRequest, note: str | None = None, procured: int | None = None) -> None:
        computed = self.fulfil(request, procured)
        self.move(request, COMPLETED, note=note or computed)

    def update(self, request: ResourceRequest, requirements: list[dict]) -> None:
        """The requester resent all requirements: validate them again from the start."""
        request.requirements = requirements
        self.move(request, AUTOMATIC_VALIDATION)  # the contract: "back in AUTOMATIC_VALIDATION"

    def cancel(self, request: ResourceRequest) -> None:
        self.move(request, CANCELED)

    def run_timers(self) -> None:
        """Reminders and idle rejections that are due by the sandbox clock, oldest first."""
        now = self.clock.now()
        for request in list(self.requests.values()):
            if request.status not in EDITABLE:
                continue
            idle = now - request.status_since
            for day in REMINDER_DAYS:
                if idle >= timedelta(days=day) and day not in request.reminders_sent:
                    request.reminders_sent.append(day)
                    self.notify_reminder(request, REJECT_AFTER_DAYS - day)
            if idle >= timedelta(days=REJECT_AFTER_DAYS):
                self.reject(request, IDLE_REJECTION_NOTE)

    def tick(self, step_seconds: float) -> None:
        """Move every request that has stayed `step_seconds` in a status that moves on its own."""
        self.run_timers()
        now = self.clock.now()
        for request in list(self.requests.values()):
            if request.status in FINAL or request.status in EDITABLE:
                continue
            if (now - request.status_since).total_seconds() >= step_seconds:
                self.step(request, by_reviewer=False)
