"""Client-side pacing: a burst goes through at once, then calls are spaced by 1/rate."""

from __future__ import annotations

import asyncio

import pytest

from bot.providers.infobip.operations import Operation
from bot.providers.infobip.pacing import Pacer

OPS = {
    "submit": Operation("submit", "POST", "/submit", rate=1, burst=1, idempotent=False),
    "lookup": Operation("lookup", "POST", "/lookup", rate=10, burst=10, idempotent=True),
    "numbers": Operation("numbers", "GET", "/numbers", rate=1, burst=2, idempotent=True),
    "unlimited": Operation("unlimited", "GET", "/subscriptions", rate=None, burst=1, idempotent=True),
}


class FakeClock:
    """Time that only moves when someone sleeps (or the test advances it). Sleepers yield to the
    event loop first, so concurrent callers really overlap."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        wake_at = self.now + seconds
        await asyncio.sleep(0)
        self.now = max(self.now, wake_at)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def pacer(clock: FakeClock, speedup: float = 1.0) -> Pacer:
    return Pacer(OPS, speedup=speedup, clock=clock, sleep=clock.sleep)


async def times_of(p: Pacer, clock: FakeClock, operation_id: str, calls: int) -> list[float]:
    """When each of `calls` sequential calls was let through."""
    moments = []
    for _ in range(calls):
        await p.acquire(operation_id)
        moments.append(round(clock.now, 6))
    return moments


async def test_burst_goes_through_then_calls_are_spaced(clock):
    assert await times_of(pacer(clock), clock, "numbers", 5) == [0, 0, 1, 2, 3]


async def test_spacing_follows_the_rate(clock):
    moments = await times_of(pacer(clock), clock, "lookup", 13)
    assert moments[10:] == [0.1, 0.2, 0.3]


async def test_idle_time_refills_the_bucket_up_to_the_burst(clock):
    p = pacer(clock)
    await times_of(p, clock, "numbers", 2)
    clock.now += 60  # a long pause refills only `burst` tokens
    assert await times_of(p, clock, "numbers", 3) == [60, 60, 61]


async def test_each_operation_has_its_own_bucket(clock):
    p = pacer(clock)
    await p.acquire("submit")
    # submit is exhausted, lookup is not slowed by it
    assert await p.acquire("lookup") == 0
    assert await p.acquire("submit") == pytest.approx(1.0)


async def test_operations_without_a_documented_rate_are_not_paced(clock):
    assert await times_of(pacer(clock), clock, "unlimited", 50) == [0] * 50
    assert clock.sleeps == []


async def test_concurrent_callers_each_get_their_own_slot(clock):
    p = pacer(clock)
    waits = await asyncio.gather(*(p.acquire("submit") for _ in range(5)))
    assert waits == pytest.approx([0, 1, 2, 3, 4])  # in arrival order, one second apart
    assert clock.now == pytest.approx(4)


async def test_speedup_shortens_the_spacing(clock):
    assert await times_of(pacer(clock, speedup=100), clock, "submit", 3) == [0, 0.01, 0.02]


async def test_real_clock_waits_for_real():
    p = Pacer(OPS, speedup=20)  # submit: 20/s, burst 1
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(3):
        await p.acquire("submit")
    assert loop.time() - start >= 0.09
