"""The requirements cache on its own: kept per whole query, for its time to live, bounded, never a
failure, dropped on a refusal over requirements (bot/providers/infobip/requirements_cache.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.clock import Clock
from bot.providers.infobip.errors import InfobipAPIError, InfobipTransportError, InfobipUnknownOutcome
from bot.providers.infobip.models import AlphaRequirementsQuery, NumberRequirementsQuery, Requirement
from bot.providers.infobip.requirements_cache import RequirementsCache, query_key, refused_over_requirements

HR = AlphaRequirementsQuery(country_code="HR")


class Infobip:
    """A lookup that counts its calls and answers what it is told (or raises it)."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answer: list[Requirement] | Exception = [Requirement(key="companyName", type="TEXT", required=True)]
        self.gate: asyncio.Event | None = None

    async def lookup(self, query) -> list[Requirement]:
        self.asked.append(query_key(query))
        if self.gate is not None:
            await self.gate.wait()
        if isinstance(self.answer, Exception):
            raise self.answer
        return [r.model_copy() for r in self.answer]


def cache(infobip: Infobip, clock: Clock | None = None, *, ttl: float = 3600, max_entries: int = 256):
    return RequirementsCache(infobip.lookup, ttl_seconds=ttl, clock=clock or Clock(), max_entries=max_entries)


async def test_a_second_lookup_of_the_same_query_is_answered_from_memory():
    infobip = Infobip()
    kept = cache(infobip)
    first = await kept.lookup(HR)
    second = await kept.lookup(AlphaRequirementsQuery(country_code="HR"))
    assert [r.key for r in first] == [r.key for r in second] == ["companyName"]
    assert len(infobip.asked) == 1 and len(kept) == 1


async def test_every_part_of_the_query_makes_its_own_entry():
    infobip = Infobip()
    kept = cache(infobip)
    queries = [
        HR,
        AlphaRequirementsQuery(country_code="DE"),
        AlphaRequirementsQuery(country_code="HR", traffic_origin="LOCAL"),
        AlphaRequirementsQuery(country_code="HR", traffic_origin="LOCAL", traffic_type="PROMOTIONAL"),
        NumberRequirementsQuery(country_code="HR", number_type="VIRTUAL_LONG_NUMBER", capabilities=["SMS"]),
        NumberRequirementsQuery(country_code="HR", number_type="VIRTUAL_LONG_NUMBER", capabilities=["SMS", "VOICE"]),
        NumberRequirementsQuery(country_code="HR", number_type="VIRTUAL_LONG_NUMBER", capabilities=["SMS"], quantity=2),
    ]
    for query in queries:
        await kept.lookup(query)
    for query in queries:
        await kept.lookup(query)
    assert len(infobip.asked) == len(set(infobip.asked)) == len(queries)


async def test_an_entry_older_than_its_time_to_live_is_looked_up_again():
    infobip, clock = Infobip(), Clock()
    kept = cache(infobip, clock, ttl=60)
    await kept.lookup(HR)
    clock.advance(timedelta(seconds=59))
    await kept.lookup(HR)
    assert len(infobip.asked) == 1
    clock.advance(timedelta(seconds=1))
    infobip.answer = [Requirement(key="vatNumber", type="TEXT")]
    assert [r.key for r in await kept.lookup(HR)] == ["vatNumber"]
    assert len(infobip.asked) == 2
    clock.advance(timedelta(seconds=59))
    assert [r.key for r in await kept.lookup(HR)] == ["vatNumber"]  # kept again from the new answer
    assert len(infobip.asked) == 2


async def test_a_time_to_live_of_zero_keeps_nothing():
    infobip = Infobip()
    kept = cache(infobip, ttl=0)
    await kept.lookup(HR)
    await kept.lookup(HR)
    assert len(infobip.asked) == 2 and len(kept) == 0


@pytest.mark.parametrize(
    "error",
    [
        InfobipAPIError(404, error_code="RR-ALPHA-UNAVAILABLE404"),
        InfobipAPIError(429),
        InfobipTransportError("resources-requirements-lookup", "timed out"),
    ],
    ids=["refused", "rate-limited", "unreachable"],
)
async def test_a_failed_lookup_is_not_kept(error):
    infobip = Infobip()
    kept = cache(infobip)
    infobip.answer = error
    with pytest.raises(type(error)):
        await kept.lookup(HR)
    assert len(kept) == 0
    infobip.answer = [Requirement(key="companyName", type="TEXT")]
    assert [r.key for r in await kept.lookup(HR)] == ["companyName"]
    assert len(infobip.asked) == 2


async def test_forget_drops_one_entry_only():
    infobip = Infobip()
    kept = cache(infobip)
    de = AlphaRequirementsQuery(country_code="DE")
    await kept.lookup(HR)
    await kept.lookup(de)
    kept.forget(HR)
    kept.forget(AlphaRequirementsQuery(country_code="SE"))  # nothing kept: nothing to drop
    await kept.lookup(HR)
    await kept.lookup(de)
    assert infobip.asked == [query_key(HR), query_key(de), query_key(HR)]


async def test_an_answer_to_a_lookup_begun_before_forget_is_not_kept():
    """The set may have changed between the lookup's start and the refusal: it is not trusted."""
    infobip = Infobip()
    kept = cache(infobip)
    infobip.gate = asyncio.Event()
    looking = asyncio.create_task(kept.lookup(HR))
    await asyncio.sleep(0)
    kept.forget(HR)
    infobip.gate.set()
    await looking
    assert len(kept) == 0
    infobip.gate = None
    await kept.lookup(HR)
    assert len(infobip.asked) == 2 and len(kept) == 1


async def test_it_is_bounded_dropping_the_least_recently_used_first():
    infobip = Infobip()
    kept = cache(infobip, max_entries=2)
    hr, de, se = (AlphaRequirementsQuery(country_code=c) for c in ("HR", "DE", "SE"))
    await kept.lookup(hr)
    await kept.lookup(de)
    await kept.lookup(hr)  # used again: DE is now the oldest
    await kept.lookup(se)
    assert len(kept) == 2
    asked = len(infobip.asked)
    await kept.lookup(hr)
    await kept.lookup(se)
    assert len(infobip.asked) == asked
    await kept.lookup(de)
    assert len(infobip.asked) == asked + 1


async def test_what_a_caller_is_given_is_its_own_copy():
    infobip = Infobip()
    kept = cache(infobip)
    first = await kept.lookup(HR)
    first[0].name = "changed by a caller"
    first.clear()
    [again] = await kept.lookup(HR)
    assert again.name == "" and len(infobip.asked) == 1


def test_nonsense_settings_are_refused():
    with pytest.raises(ValueError):
        cache(Infobip(), ttl=-1)
    with pytest.raises(ValueError):
        cache(Infobip(), max_entries=0)


def test_a_refusal_naming_requirements_is_one_over_requirements():
    unknown_key = InfobipAPIError(
        400,
        error_code="E400",
        description="Request cannot be processed.",
        violations=[("requirements[9].key", "Unknown requirement key 'favouriteColour'.")],
    )
    assert refused_over_requirements(unknown_key)
    assert not refused_over_requirements(InfobipAPIError(400, error_code="E400", violations=[("senderName", "x")]))
    assert not refused_over_requirements(InfobipAPIError(400, error_code="RR-ALPHA-SENDER-ALREADY-EXISTS400"))
    assert not refused_over_requirements(InfobipAPIError(404, violations=[("requirements[0].key", "x")]))
    assert not refused_over_requirements(InfobipUnknownOutcome("submit-resource-request", "timed out"))


async def test_callers_asking_meanwhile_share_one_lookup():
    infobip = Infobip()
    kept = cache(infobip)
    infobip.gate = asyncio.Event()
    waiting = [asyncio.create_task(kept.lookup(HR)) for _ in range(5)]
    other = asyncio.create_task(kept.lookup(AlphaRequirementsQuery(country_code="DE")))
    await asyncio.sleep(0.01)
    waiting[0].cancel()  # one person gives up: the others still get their answer
    infobip.gate.set()
    answers = await asyncio.gather(*waiting[1:], other)
    assert all([r.key for r in answer] == ["companyName"] for answer in answers)
    assert len(infobip.asked) == 2 and len(kept) == 2
    assert answers[0] is not answers[1] and answers[0][0] is not answers[1][0]  # each its own copy


async def test_a_failure_is_shared_by_who_waited_for_it_and_not_kept():
    infobip = Infobip()
    kept = cache(infobip)
    infobip.gate = asyncio.Event()
    infobip.answer = InfobipAPIError(503)
    waiting = [asyncio.create_task(kept.lookup(HR)) for _ in range(3)]
    await asyncio.sleep(0.01)
    infobip.gate.set()
    failures = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(f, InfobipAPIError) for f in failures) and len(infobip.asked) == 1
    infobip.gate, infobip.answer = None, [Requirement(key="vatNumber", type="TEXT")]
    assert [r.key for r in await kept.lookup(HR)] == ["vatNumber"] and len(infobip.asked) == 2
