"""Every benchmark runs end to end at a tiny size and produces numbers (no timing is asserted:
the numbers belong to `make bench` on a quiet machine, not to CI)."""

from __future__ import annotations

import math

import pytest

from bench import ack_latency, delivery, forms, ingest, startup, views_open
from bench.common import Result
from bench.run import BENCHES, table


def numbers(result: Result) -> None:
    assert result.figures
    for figure in result.figures:
        if figure.bot is not None:
            assert math.isfinite(figure.bot) and figure.bot >= 0, figure
    assert "|" in table(result.figures)


def test_every_benchmark_has_a_smoke_size_here():
    assert set(BENCHES) == {"ack", "views", "ingest", "delivery", "startup", "forms"}


def test_ack_latency():
    result = ack_latency.run(requests=20, rounds=2, warmup=5)
    numbers(result)
    assert result.details["requests_each"] == 20
    assert "/resource" in result.details["bot_answer_starts"]  # `help` was answered with the usage


def test_views_open():
    result = views_open.run(commands=3, interval=0.05, provider_delay=0.3)
    numbers(result)
    assert result.details["forms_shown"] == 3  # the slowed lookup came back and the form replaced the modal


def test_ingest():
    result = ingest.run(events=150, seconds=2.0, concurrency=4, requests=30, rounds=1, warmup=10)
    numbers(result)
    assert result.details["every_200_committed"]
    assert result.details["failures"] == {"bot": 0, "bare": 0}


def test_delivery():
    result = delivery.run(requests=4, channels=2, events_per_request=3, speedup=20.0, senders=2)
    numbers(result)
    checks = next(f for f in result.figures if f.name.startswith("4. lost"))
    assert checks.met, checks.note  # nothing lost, repeated or out of order
    assert result.details["webhooks_200"] == 12


@pytest.mark.parametrize("runs", [1])
def test_startup(runs):
    result = startup.run(runs=runs)
    numbers(result)
    assert all(f.bot and f.bot > 0 for f in result.figures)


def test_forms():
    result = forms.run(repeats=2, provider_delay=0.3)
    numbers(result)
    assert result.details["forms"] == 3
    assert result.details["lookups_at_infobip"] == 1  # the forms after the first were built from what was kept
