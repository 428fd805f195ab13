"""The stand-in's state: number requests, their lifecycle, the stock they draw from.

Lifecycle (status strings from `wire.Status`, all assumed):

    create ─┬─ in stock ──────────────▶ Completed  (numbers assigned at once)
            └─ not in stock ─▶ Pending ─┬─ admin accept ──▶ Accepted  (reason, numbers)
                                        ├─ admin reject ──▶ Rejected  (reason)
                                        └─ API cancel ────▶ Cancelled

The create answer has `id`, `start`, `validFrom` and `validTo` null (as CM.com documents); the
request still has an id, which every callback and GET carries. A callback is queued at creation
(with the first status, Pending or Completed) and at every change after it, when the request
has a callbackUrl. Every method runs on the server's event loop and never awaits, so no locks.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.providers.cm import wire
from bot.providers.cm.wire import Status
from bot.sandbox.cm.callbacks import CallbackOutbox
from bot.sandbox.cm.config import CmSandboxConfig, StockEntry
from bot.sandbox.cm.faults import FaultBook
from bot.sandbox.cm.validation import check_create


class SandboxProblem(Exception):
    """An error answer: HTTP status and a sentence (the stand-in's `{"message": ...}`)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def timestamp(at: datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds and a Z (assumed to be CM.com's format)."""
    return None if at is None else at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class NumberRequest:
    id: str
    fields: dict  # the create fields, wire names, null when absent
    status: str
    created: datetime
    modified: datetime
    numbers: list[str] = field(default_factory=list)
    reason: str | None = None
    valid_from: datetime | None = None
    history: list[dict] = field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.status in wire.FINAL_STATUSES

    def to_wire(self) -> dict:
        """The whole object, as GET answers it and callbacks carry it."""
        return {
            wire.ID: self.id,
            wire.STATUS: self.status,
            wire.START: self.numbers[0] if self.numbers else None,
            wire.VALID_FROM: timestamp(self.valid_from),
            wire.VALID_TO: None,
            wire.NUMBERS: list(self.numbers),
            wire.REASON: self.reason,
            wire.CREATED: timestamp(self.created),
            wire.MODIFIED: timestamp(self.modified),
            **self.fields,
        }

    def as_created(self) -> dict:
        """The create answer: the same object with id, start, validFrom and validTo null."""
        return {**self.to_wire(), wire.ID: None, wire.START: None, wire.VALID_FROM: None, wire.VALID_TO: None}


class CmSandbox:
    def __init__(self, config: CmSandboxConfig | None = None) -> None:
        self.config = config or CmSandboxConfig()
        self._initial_stock = copy.deepcopy(self.config.stock)
        self.requests: dict[str, NumberRequest] = {}
        self.callbacks = CallbackOutbox(self.config)
        self.faults = FaultBook()
        # Numbers for an accepted request that no stock entry describes: Dutch 085 numbers.
        self._fallback = StockEntry("NL", "NATIONAL", "+3185", 0, next_serial=500000)

    def reset(self) -> None:
        """Back to the configured start: no requests, callbacks or faults; the initial stock."""
        self.requests.clear()
        self.callbacks.clear()
        self.faults.clear()
        self.config.stock = copy.deepcopy(self._initial_stock)
        self._fallback.next_serial = 500000

    # ---- API -----------------------------------------------------------------------------------

    def create(self, body: dict) -> NumberRequest:
        fields, problems = check_create(body, self.config)
        if problems:
            raise SandboxProblem(400, " ".join(problems))
        now = datetime.now(UTC)
        request = NumberRequest(str(uuid.uuid4()), fields, Status.PENDING.value, now, now)
        self.requests[request.id] = request
        entry = self._in_stock(fields)
        if entry is None:
            self._record(request)
        else:
            self._change(request, Status.COMPLETED, numbers=entry.take(fields[wire.QUANTITY], fields[wire.RANGE_SIZE]))
        return request

    def get(self, request_id: str) -> NumberRequest:
        request = self.requests.get(request_id)
        if request is None:
            raise SandboxProblem(404, f"Number request {request_id} was not found.")
        return request

    def cancel(self, request_id: str) -> NumberRequest:
        request = self._pending(request_id, "cancelled")
        self._change(request, Status.CANCELLED)
        return request

    def order_restrictions(self) -> dict:
        return {
            wire.MAX_QUANTITY: self.config.max_quantity,
            wire.RANGE_SIZES: list(self.config.range_sizes),
            wire.PHONE_NUMBER_TYPES: list(self.config.phone_number_types),
        }

    def locale_options(self, country_code: str, phone_number_type: str | None) -> dict:
        entries = [
            e
            for e in self.config.stock
            if e.country == country_code.upper()
            and (phone_number_type is None or e.phone_number_type == phone_number_type)
        ]

        def distinct(values: list[str | None]) -> list[str]:
            return list(dict.fromkeys(v for v in values if v))

        return {
            wire.CITIES: distinct([e.city for e in entries]),
            wire.REGIONS: distinct([e.region for e in entries]),
            wire.AREA_CODES: distinct([e.area_code for e in entries]),
        }

    # ---- Support's review (admin) ----------------------------------------------------------------

    def accept(self, request_id: str, reason: str, numbers: list[str] | None = None) -> NumberRequest:
        request = self._pending(request_id, "accepted")
        if not numbers:
            fields = request.fields
            entry = self._matching(fields)[:1] or [self._fallback]
            numbers = entry[0].take(fields[wire.QUANTITY], fields[wire.RANGE_SIZE])
        self._change(request, Status.ACCEPTED, reason=reason, numbers=numbers)
        return request

    def reject(self, request_id: str, reason: str) -> NumberRequest:
        request = self._pending(request_id, "rejected")
        self._change(request, Status.REJECTED, reason=reason)
        return request

    def replay(self, request_id: str) -> bool:
        """Send the request's last callback again; False when it never had one."""
        self.get(request_id)
        return self.callbacks.replay(request_id) is not None

    def set_stock(self, entry: StockEntry) -> StockEntry:
        """Replace the entry for the same type and place, or add one."""
        for i, known in enumerate(self.config.stock):
            if (known.phone_number_type, known.area_code, known.city) == (
                entry.phone_number_type,
                entry.area_code,
                entry.city,
            ):
                entry.next_serial = max(entry.next_serial, known.next_serial)  # never reissue a number
                self.config.stock[i] = entry
                return entry
        self.config.stock.append(entry)
        return entry

    def describe(self, request: NumberRequest) -> dict:
        """The admin view: the object plus what only the stand-in knows."""
        return {
            "id": request.id,
            "status": request.status,
            "object": request.to_wire(),
            "history": list(request.history),
            "callbacks": self.callbacks.of(request.id),
        }

    # ---- Internals -------------------------------------------------------------------------------

    def _matching(self, fields: dict) -> list[StockEntry]:
        return [
            e
            for e in self.config.stock
            if e.matches(fields[wire.PHONE_NUMBER_TYPE], fields[wire.AREA_CODE], fields[wire.CITY], fields[wire.REGION])
        ]

    def _in_stock(self, fields: dict) -> StockEntry | None:
        return next((e for e in self._matching(fields) if e.available >= fields[wire.QUANTITY]), None)

    def _pending(self, request_id: str, verb: str) -> NumberRequest:
        request = self.get(request_id)
        if request.final:
            raise SandboxProblem(409, f"Number request {request_id} is {request.status} and can no longer be {verb}.")
        return request

    def _change(
        self, request: NumberRequest, status: Status, *, reason: str | None = None, numbers: list[str] | None = None
    ) -> None:
        now = datetime.now(UTC)
        request.status, request.modified = status.value, now
        if reason is not None:
            request.reason = reason
        if numbers:
            request.numbers, request.valid_from = list(numbers), now
        self._record(request)

    def _record(self, request: NumberRequest) -> None:
        """Note the current status and queue its callback."""
        request.history.append({"status": request.status, "at": timestamp(request.modified)})
        url = request.fields.get(wire.CALLBACK_URL)
        if url:
            self.callbacks.send(request.id, url, request.to_wire())
