"""Helpers for the association, application/entity and inbound-routing end-to-end tests."""

from __future__ import annotations

from typing import Any

from bot.store.audit import AuditEntry, list_audit
from tests.support.names import ADMIN, CHANNEL
from tests.support.world import World


def own_number(world: World, country: str = "GB", capabilities: tuple[str, ...] = ("SMS",)) -> dict[str, str]:
    """Buy a number straight in the sandbox: {"number", "numberKey"}."""
    [bought] = world.sandbox.numbers.procure(country, "VIRTUAL_LONG_NUMBER", capabilities, 1)
    return bought


def own_sender(world: World, name: str, country: str = "HR") -> None:
    """An alphanumeric sender the account owns (as a completed registration leaves it)."""
    world.sandbox.requests.senders.append(
        {
            "resourceType": "ALPHANUMERIC",
            "senderName": name,
            "countryCode": country,
            "platform": {"applicationId": "default"},
        }
    )


def provisioning(world: World) -> dict[str, Any]:
    """The sandbox's applications, entities and associations."""
    response = world.sandbox_admin.get("/provisioning")
    assert response.status_code == 200, response.text
    return response.json()


def audit(world: World, prefix: str = "") -> list[AuditEntry]:
    return list_audit(world.services.db, action_prefix=prefix or None)


def posted(world: World, channel: str = CHANNEL) -> list[str]:
    return [str(m.get("text")) for m in world.slack.messages(channel)]


def wait_posted(world: World, fragment: str, channel: str = CHANNEL) -> str:
    return world.wait(
        lambda: next((t for t in posted(world, channel) if fragment in t), None),
        what=f"a message in {channel} saying {fragment!r}",
    )


def ephemeral_texts(world: World, user: str, channel: str = CHANNEL) -> list[str]:
    return [str(m.get("text")) for m in world.slack.ephemeral(channel, user)]


def block(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def options(view: dict, block_id: str) -> list[str]:
    return [o["value"] for o in block(view, block_id)["element"]["options"]]


def text_of(view: dict) -> str:
    return str(view.get("blocks"))


def top(world: World, user: str = ADMIN, **kwargs: Any) -> dict:
    return world.view(user, **kwargs)
