"""`GET /readyz`: may traffic be sent here? Only when Slack is usable and the database answers.

`/healthz` says the process is alive, and answers while Slack is still connecting; `/readyz`
answers 200 only when both parts are ready, else 503 with a JSON body naming what is not.
"""

from __future__ import annotations

import asyncio

from bot.slack.link import SlackLink
from bot.store.worker import Store, StoreBusy

DATABASE_SECONDS = 2.0  # a probe gets an answer well within a load balancer's timeout


def _answers(db) -> bool:
    db.execute("SELECT 1").fetchone()
    return True


async def database_state(store: Store) -> dict:
    """Does the store thread run a query, in time? (It queues behind writes, as everything does.)"""
    try:
        await asyncio.wait_for(store.run(_answers, budget=DATABASE_SECONDS / 2), DATABASE_SECONDS)
    except (StoreBusy, TimeoutError):
        return {"ready": False, "detail": "busy: the store could not run a query in time (a lock held elsewhere?)"}
    except Exception as error:  # noqa: BLE001 - closed, missing, unreadable: all "not ready"
        return {"ready": False, "detail": f"{type(error).__name__}: {error}"}
    return {"ready": True, "detail": "answers"}


async def readiness(store: Store, link: SlackLink) -> tuple[bool, dict]:
    parts = {"slack": link.as_json(), "database": await database_state(store)}
    not_ready = [name for name, part in parts.items() if not part["ready"]]
    return not not_ready, {"ready": not not_ready, "not_ready": not_ready, **parts}
