"""2. From `/resource sender HR` to the `views.open` call arriving at the Slack stand-in, with
Infobip's requirements lookup slowed to 2 s (a sandbox fault on `resources-requirements-lookup`).

The loading modal must not wait for the provider: a trigger_id is good for 3 s, once. The clock
starts before the signed command is sent and stops when the stand-in records `views.open` for
that command's trigger_id (both in this process, one clock). Commands go out at a steady pace,
interleaved with the baseline: a bare slack-bolt app that acks `/resource open` and calls
`views.open` at once. Also reported: the ack of `sender HR` itself, and when the real form
replaced the loading modal (≈ the 2 s the provider took: the requirements cache is off here).

Alone: `python -m bench views` (add `--quick` for a short run).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import httpx

from bench.ack_latency import start_bot_serve
from bench.common import INFOBIP_KEY, Figure, Result, ServerProcess, bot_env, percentile, slash_command
from bot.sandbox.slack.web_api import SlackStandIn

LOOKUP = "resources-requirements-lookup"


def _views_open_at(standin: SlackStandIn, trigger: str, timeout: float = 10.0) -> float:
    def found(s: SlackStandIn):
        return next((c for c in reversed(s.calls("views.open")) if c.args.get("trigger_id") == trigger), None)

    call = standin.wait_for(found, timeout)
    if not call.ok:
        raise RuntimeError(f"views.open failed: {call.response}")
    return call.at


def run(commands: int = 100, interval: float = 0.12, provider_delay: float = 2.0) -> Result:
    result = Result("views")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-views-") as tmp, SlackStandIn() as standin:
        workdir = Path(tmp)
        # Requirements not kept: each form waits for the slowed lookup, as this figure always measured
        # (the kept ones are benchmark 6, bench/forms.py).
        bot, bot_url = start_bot_serve(standin, workdir, RESOURCEBOT_REQUIREMENTS_CACHE_SECONDS="0")
        sandbox_line = next(line for line in bot.log if "built-in Infobip sandbox at" in line)
        sandbox_url = sandbox_line.split("sandbox at ", 1)[1].split()[0]
        bare = ServerProcess(
            ["-m", "bench.servers", "bare-bolt"], env=bot_env(standin.api_url, workdir / "unused.sqlite3")
        ).ready()
        try:
            fault = httpx.post(
                f"{sandbox_url}/_sandbox/faults",
                headers={"Authorization": f"App {INFOBIP_KEY}"},
                json={"operation_id": LOOKUP, "delay": provider_delay, "times": None},
                timeout=10,
            )
            fault.raise_for_status()
            targets = {"bot": (bot_url + "/slack/events", "sender HR"), "bare": (bare.url + "/slack/events", "open")}
            opened: dict[str, list[float]] = {"bot": [], "bare": []}
            acks: dict[str, list[float]] = {"bot": [], "bare": []}
            view_ids: list[tuple[str, float]] = []
            with httpx.Client(timeout=10) as client:
                for url, _text in targets.values():  # warm-up: Bolt's auth.test, connections
                    body, headers = slash_command("help")
                    client.post(url, content=body, headers=headers).raise_for_status()
                first = time.monotonic()
                for i in range(commands):
                    for name, (url, text) in targets.items():
                        # One person per command: a modal opened for someone closes theirs that was open.
                        user = standin.add_user(f"U0B{name[:2].upper()}{i:05d}", f"{name}{i}")["id"]
                        trigger = standin.issue_trigger(user)
                        body, headers = slash_command(text, trigger_id=trigger, user=user)
                        sent = time.time()
                        answer = client.post(url, content=body, headers=headers)
                        acks[name].append((time.time() - sent) * 1000)
                        if answer.status_code != 200:
                            raise RuntimeError(f"{name} answered {answer.status_code}: {answer.text[:200]}")
                        at = _views_open_at(standin, trigger)
                        opened[name].append((at - sent) * 1000)
                        if name == "bot":
                            call = next(
                                c for c in reversed(standin.calls("views.open")) if c.args.get("trigger_id") == trigger
                            )
                            view_ids.append((call.response["view"]["id"], sent))
                    pause = first + (i + 1) * interval - time.monotonic()
                    if pause > 0:
                        time.sleep(pause)

            # The form replaces the loading modal once the slowed lookup answers.
            def form_times(s: SlackStandIn):
                updates = {c.args.get("view_id"): c.at for c in s.calls("views.update") if c.ok}
                times = [(updates[v] - sent) * 1000 for v, sent in view_ids if v in updates]
                return times if len(times) == len(view_ids) else None

            try:
                shown = standin.wait_for(form_times, timeout=provider_delay * 3 + commands * 0.2)
            except TimeoutError:
                shown = []
        finally:
            bot.stop()
            bare.stop()
    p99 = {name: percentile(values, 99) for name, values in opened.items()}
    result.figures += [
        Figure(
            "2. command → views.open p50 (lookup slowed to 2 s)",
            percentile(opened["bot"], 50),
            percentile(opened["bare"], 50),
            "ms",
        ),
        Figure(
            "2. command → views.open p99 (lookup slowed to 2 s)",
            p99["bot"],
            p99["bare"],
            "ms",
            "p99 <= 300 ms",
            met=p99["bot"] <= 300,
        ),
        Figure(
            "2. ack of `sender HR` p99",
            percentile(acks["bot"], 99),
            percentile(acks["bare"], 99),
            "ms",
            note="bare: ack of `open`",
        ),
        Figure(
            "2. form replaces the loading modal, p50",
            percentile(shown, 50) if shown else None,
            None,
            "ms",
            note=f"{len(shown)}/{len(view_ids)} forms",
        ),
    ]
    result.details = {
        "commands": commands,
        "opened_ms": {k: (min(v), max(v)) for k, v in opened.items()},
        "forms_shown": len(shown),
        "max_ack_ms": max(acks["bot"]),
    }
    result.seconds = time.monotonic() - started
    return result
