"""Picking an application and an entity in a modal, from the account's own lists.

Used wherever a resource is put onto an application/entity: a number's number-level routing,
a purchase, an association. Applications and entities are listed from Infobip; a static select
holds at most 100 options, so a longer list turns the field into a text input for the id.
"""

from __future__ import annotations

from typing import Any

from bot.domain.mrkdwn import plain_text
from bot.providers.infobip import InfobipClient, iterate_pages
from bot.providers.infobip.models import Application, Entity

APPLICATION_BLOCK = "applicationId"
ENTITY_BLOCK = "entityId"
DEFAULT_APPLICATION = "default"
NO_ENTITY = "__none__"  # the option that clears the entity
_SELECT_MAX = 100
_LIST_MAX = 1000  # more than this is not worth paging through for a picker


async def load_platforms(infobip: InfobipClient) -> tuple[list[Application], list[Entity]]:
    """The account's applications and entities (each list capped at 1000)."""
    applications, entities = [], []
    async for application in iterate_pages(lambda page: infobip.list_applications(page=page, size=100)):
        applications.append(application)
        if len(applications) >= _LIST_MAX:
            break
    async for entity in iterate_pages(lambda page: infobip.list_entities(page=page, size=100)):
        entities.append(entity)
        if len(entities) >= _LIST_MAX:
            break
    return applications, entities


def _option(value: str, label: str | None) -> dict[str, Any]:
    text = f"{label} ({value})" if label and label != value else value
    return {"text": plain_text(text, 75), "value": value[:150]}


def application_block(applications: list[Application], initial: str | None = None, *,
                      optional: bool = False, label: str = "Application") -> dict[str, Any]:
    if len(applications) > _SELECT_MAX:
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "max_length": 255,
                                   "placeholder": plain_text("Application id, e.g. marketing", 150)}
        if initial:
            element["initial_value"] = initial
    else:
        options = [_option(a.application_id, a.application_name) for a in applications]
        element = {"type": "static_select", "action_id": "value", "options": options}
        chosen = next((o for o in options if o["value"] == (initial or DEFAULT_APPLICATION)), None)
        if chosen:
            element["initial_option"] = chosen
    return {"type": "input", "block_id": APPLICATION_BLOCK, "optional": optional,
            "label": plain_text(label, 2000), "element": element}


def entity_block(entities: list[Entity], initial: str | None = None, *, label: str = "Entity") -> dict[str, Any]:
    """Optional: "No entity" clears it."""
    if len(entities) >= _SELECT_MAX:
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "max_length": 255,
                                   "placeholder": plain_text("Entity id (leave empty for none)", 150)}
        if initial:
            element["initial_value"] = initial
    else:
        options = [_option(NO_ENTITY, "No entity")] + [_option(e.entity_id, e.entity_name) for e in entities]
        options[0]["text"] = plain_text("No entity", 75)
        element = {"type": "static_select", "action_id": "value", "options": options,
                   "initial_option": next((o for o in options if o["value"] == initial), options[0])}
    return {"type": "input", "block_id": ENTITY_BLOCK, "optional": True,
            "label": plain_text(label, 2000), "element": element}


def chosen_platform(values: dict[str, Any]) -> tuple[str | None, str | None]:
    """(application id, entity id) from flattened view values; None where nothing was chosen."""
    application = (values.get(APPLICATION_BLOCK) or "").strip() or None
    entity = (values.get(ENTITY_BLOCK) or "").strip() or None
    return application, None if entity == NO_ENTITY else entity
