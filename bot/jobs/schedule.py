"""Running the jobs for as long as the server runs: each on its own interval, failures logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.jobs.reconciler import reconcile_once
from bot.jobs.recovery import recover_intents
from bot.jobs.reminders import send_due_reminders
from bot.services import Services
from bot.usecases.approvals import expire as expire_approvals
from bot.usecases.approvals import remind as remind_approvers

log = logging.getLogger("bot.jobs")


async def every(seconds: float, name: str, job: Callable[[], Awaitable[object]]) -> None:
    while True:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - one failed pass must not stop the next
            log.exception("%s failed; trying again in %.0fs", name, seconds)
        await asyncio.sleep(seconds)


def start_jobs(services: Services) -> list[asyncio.Task]:
    settings = services.settings
    idle_after = timedelta(hours=settings.resourcebot_remind_after_hours)

    async def reminders() -> None:
        if await services.store.run(send_due_reminders, services.clock.now(), idle_after):
            services.outbox.wake()

    async def reconcile() -> None:
        if await reconcile_once(
            services.db,
            services.store,
            services.infobip,
            services.clock.now(),
            timedelta(seconds=settings.resourcebot_unconfirmed_give_up_seconds),
        ):
            services.outbox.wake()

    async def approvals_due() -> None:
        await expire_approvals(services)  # first: what expires now needs no reminder
        await remind_approvers(services)

    tasks = [
        asyncio.create_task(every(services.reminder_tick_seconds, "reminders", reminders), name="reminders"),
        asyncio.create_task(
            every(settings.resourcebot_recover_seconds, "recovery", lambda: recover_intents(services)), name="recovery"
        ),
        # Approvals nobody decided in time, and the approvers' reminder halfway there: on the
        # reminders' tick (the bot's clock decides).
        asyncio.create_task(
            every(services.reminder_tick_seconds, "approval expiry", approvals_due), name="approval expiry"
        ),
    ]
    if settings.resourcebot_reconcile_seconds > 0:
        tasks.append(
            asyncio.create_task(
                every(settings.resourcebot_reconcile_seconds, "reconciler", reconcile), name="reconciler"
            )
        )
    return tasks
