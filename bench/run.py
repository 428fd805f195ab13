"""Runs the benchmarks one after another and prints one table: `python -m bench [NAME …] [--quick]`."""

from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import asdict

from bench.common import Figure, Result, machine

# name -> (module, full-size arguments, quick arguments): one benchmark per module, each with run().
BENCHES: dict[str, tuple[str, dict, dict]] = {
    "ack": ("bench.ack_latency", {}, {"requests": 300, "rounds": 3, "warmup": 50}),
    "views": ("bench.views_open", {}, {"commands": 20}),
    "ingest": ("bench.ingest", {}, {"events": 3000, "seconds": 4.0}),
    "delivery": ("bench.delivery", {}, {"requests": 20, "channels": 4, "events_per_request": 5}),
    "startup": ("bench.startup", {}, {"runs": 1}),
    "forms": ("bench.forms", {}, {"repeats": 3}),
}


def runner(name: str) -> Callable[..., Result]:
    return importlib.import_module(BENCHES[name][0]).run


def _number(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "ms" and value < 10:
        text = f"{value:.2f}"
    elif abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 100:
        text = f"{value:.0f}"
    else:
        text = f"{value:.1f}" if value != int(value) else f"{value:.0f}"
    return f"{text} {unit}".rstrip()


def table(figures: list[Figure]) -> str:
    """A Markdown table: it reads in a terminal and pastes into the README as it is."""
    header = ["figure", "bot", "baseline", "ratio", "target", "met"]
    rows = []
    for f in figures:
        met = "—" if f.met is None else ("met" if f.met else "MISSED")
        rows.append(
            [
                f.name + (f" ({f.note})" if f.note else ""),
                _number(f.bot, f.unit),
                _number(f.baseline, f.unit),
                "—" if f.ratio is None else f"{f.ratio:.2f}",
                f.target or "—",
                met,
            ]
        )
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) if rows else len(header[i]) for i in range(len(header))]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    return "\n".join(lines)


def describe_machine() -> str:
    m = machine()
    return f"{m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['os']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run (default: all): {', '.join(BENCHES)}"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: checks the scripts, not the numbers")
    parser.add_argument("--json", metavar="FILE", help="also write every result, with details, to FILE")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    names = args.names or list(BENCHES)
    results: list[Result] = []
    started = time.monotonic()
    for name in names:
        print(f"running {name}…", file=sys.stderr, flush=True)
        module, full, quick = BENCHES[name]
        result = runner(name)(**(quick if args.quick else full))
        print(f"  {name}: {result.seconds:.1f}s {json.dumps(result.details, default=str)}", file=sys.stderr, flush=True)
        results.append(result)
    figures = sorted((f for r in results for f in r.figures), key=lambda f: f.name.split(".")[0])
    print()
    print(f"Machine: {describe_machine()}")
    print(
        f"Command: make bench ({'python -m bench ' + ' '.join(names) if args.names else 'python -m bench'}"
        f"{' --quick' if args.quick else ''}), {time.monotonic() - started:.0f} s"
    )
    print()
    print(table(figures))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"machine": machine(), "results": [asdict(r) for r in results]}, out, indent=2, default=str)
    missed = [f.name for f in figures if f.met is False]
    if missed:
        print(f"\nTargets missed: {', '.join(missed)}")
    return 0
