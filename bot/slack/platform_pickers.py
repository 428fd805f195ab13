"""Picking an application and an entity in a modal, from the account's own lists.

Used wherever a resource is put onto an application/entity: a number's number-level routing,
a purchase, an association. Applications and entities are listed from Infobip; a static select
holds at most 100 options, so a longer list turns the field into a text input for the id.

With `allow_new=True` the select also offers "➕ New application…" (or entity): choosing it
dispatches a block action (action_id `platform_pick`) and `reshape_for_new` adds the inputs for
the new id and name right under the select; `read_platform_choice` validates them (ids must
need no URL encoding) and says what to create before the resource is put on it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from bot.domain.associations import id_problem, name_problem
from bot.providers.infobip import InfobipClient, iterate_pages
from bot.providers.infobip.models import Application, Entity
from bot.slack.blocks import fits_options, input_block, option, static_select, text_input

APPLICATION_BLOCK = "applicationId"
ENTITY_BLOCK = "entityId"
DEFAULT_APPLICATION = "default"
NO_ENTITY = "__none__"  # the option that clears the entity
NO_APPLICATION = "__none__"  # the option that leaves the application unset (where that is allowed)
NEW_OPTION = "__new__"  # the option that creates an application or entity inline
PICK_ACTION = "platform_pick"  # action_id of a select that offers NEW_OPTION (dispatches on change)
# The inputs shown under a select when NEW_OPTION is chosen: {select block: (id block, name block)}.
NEW_BLOCKS = {"applicationId": ("applicationNewId", "applicationNewName"), "entityId": ("entityNewId", "entityNewName")}
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
    return option(value, f"{label} ({value})" if label and label != value else value)


def _picker(block_id: str, label: str, element: dict[str, Any], *, optional: bool, allow_new: bool) -> dict[str, Any]:
    """The input block of a picker; one offering NEW_OPTION dispatches when it changes."""
    block = input_block(block_id, label, element, optional=optional)
    if allow_new and element["type"] == "static_select":
        block["dispatch_action"] = True
    return block


def application_block(
    applications: list[Application],
    initial: str | None = None,
    *,
    optional: bool = False,
    label: str = "Application",
    allow_new: bool = False,
    none_label: str | None = None,
) -> dict[str, Any]:
    """`allow_new` adds "➕ New application…"; `none_label` an option that leaves it unset. Too many
    applications, or an id too long to pick, and the id is typed."""
    extra = int(allow_new) + int(none_label is not None)
    if len(applications) + extra > _SELECT_MAX or not fits_options(a.application_id for a in applications):
        element = text_input(max_length=255, placeholder="Application id, e.g. marketing", initial=initial)
    else:
        options = [_option(a.application_id, a.application_name) for a in applications]
        if none_label is not None:
            options.insert(0, option(NO_APPLICATION, none_label))
        if allow_new:
            options.append(option(NEW_OPTION, "➕ New application…"))
        wanted = initial or (NO_APPLICATION if none_label is not None else DEFAULT_APPLICATION)
        element = static_select(options, initial=wanted, action_id=PICK_ACTION if allow_new else "value")
    return _picker(APPLICATION_BLOCK, label, element, optional=optional, allow_new=allow_new)


def entity_block(
    entities: list[Entity], initial: str | None = None, *, label: str = "Entity", allow_new: bool = False
) -> dict[str, Any]:
    """Optional: "No entity" clears it; `allow_new` adds "➕ New entity…"."""
    if len(entities) + int(allow_new) >= _SELECT_MAX or not fits_options(e.entity_id for e in entities):
        element = text_input(max_length=255, placeholder="Entity id (leave empty for none)", initial=initial)
    else:
        options = [option(NO_ENTITY, "No entity")] + [_option(e.entity_id, e.entity_name) for e in entities]
        if allow_new:
            options.append(option(NEW_OPTION, "➕ New entity…"))
        element = static_select(
            options, initial=initial, or_first=True, action_id=PICK_ACTION if allow_new else "value"
        )
    return _picker(ENTITY_BLOCK, label, element, optional=True, allow_new=allow_new)


def chosen_platform(values: dict[str, Any]) -> tuple[str | None, str | None]:
    """(application id, entity id) from flattened view values; None where nothing was chosen."""
    application = (values.get(APPLICATION_BLOCK) or "").strip() or None
    entity = (values.get(ENTITY_BLOCK) or "").strip() or None
    return None if application == NO_APPLICATION else application, None if entity == NO_ENTITY else entity


# ---- Creating an application or entity inline ------------------------------------------------


def new_inputs(select_block_id: str) -> list[dict[str, Any]]:
    """The id and name inputs for a new application or entity, shown under its select."""
    kind = "application" if select_block_id == APPLICATION_BLOCK else "entity"
    id_block, name_block = NEW_BLOCKS[select_block_id]
    example = "e.g. marketing-eu" if kind == "application" else "e.g. acme"
    return [
        input_block(
            id_block,
            f"New {kind} id",
            text_input(max_length=255, placeholder=example),
            hint="Letters, digits, “-”, “_”, “.” or “~”; it can't be changed later.",
        ),
        input_block(name_block, f"New {kind} name", text_input(max_length=255), optional=True),
    ]


def with_new_inputs(blocks: list[dict[str, Any]], select_block_id: str, chosen: str | None) -> list[dict[str, Any]]:
    """`blocks` with the new-id/name inputs under the select when NEW_OPTION is chosen, else without."""
    hidden = set(NEW_BLOCKS[select_block_id])
    kept = [b for b in blocks if b.get("block_id") not in hidden]
    if chosen != NEW_OPTION:
        return kept
    at = next((i for i, b in enumerate(kept) if b.get("block_id") == select_block_id), None)
    if at is None:
        return kept
    return kept[: at + 1] + new_inputs(select_block_id) + kept[at + 1 :]


_VIEW_FIELDS = (
    "type",
    "title",
    "submit",
    "close",
    "blocks",
    "private_metadata",
    "callback_id",
    "clear_on_close",
    "notify_on_close",
    "external_id",
)


def view_spec(view: dict[str, Any]) -> dict[str, Any]:
    """A stored view (as a block action carries it) turned back into a views.update payload."""
    return {key: copy.deepcopy(view[key]) for key in _VIEW_FIELDS if view.get(key) not in (None, "")}


def reshape_for_new(view: dict[str, Any], select_block_id: str, chosen: str | None) -> dict[str, Any] | None:
    """The view to put up after the person picked `chosen` in a select offering NEW_OPTION, or None
    when it stays as it is."""
    if select_block_id not in NEW_BLOCKS:
        return None
    blocks = view.get("blocks") or []
    reshaped = with_new_inputs(blocks, select_block_id, chosen)
    if [b.get("block_id") for b in reshaped] == [b.get("block_id") for b in blocks]:
        return None
    spec = view_spec(view)
    spec["blocks"] = reshaped
    return spec


@dataclass(frozen=True)
class PlatformChoice:
    """The application and entity picked in a form, and the ones to create first."""

    application_id: str | None
    entity_id: str | None
    new_application: Application | None = None
    new_entity: Entity | None = None


def read_platform_choice(values: dict[str, Any]) -> tuple[PlatformChoice, dict[str, str]]:
    """(choice, {block_id: message}) from flattened view values; ids checked before any call."""
    application, entity = chosen_platform(values)
    errors: dict[str, str] = {}
    new_application = new_entity = None
    for select, kind in ((APPLICATION_BLOCK, "application"), (ENTITY_BLOCK, "entity")):
        picked = application if select == APPLICATION_BLOCK else entity
        if picked == NEW_OPTION:
            id_block, name_block = NEW_BLOCKS[select]
            new_id = (values.get(id_block) or "").strip()
            new_name = (values.get(name_block) or "").strip() or None
            if problem := id_problem(new_id, f"{kind} id"):
                errors[id_block if id_block in values else select] = problem
            elif problem := name_problem(new_name, f"{kind} name"):
                errors[name_block] = problem
            elif select == APPLICATION_BLOCK:
                new_application, application = Application(application_id=new_id, application_name=new_name), new_id
            else:
                new_entity, entity = Entity(entity_id=new_id, entity_name=new_name), new_id
        elif picked and (problem := id_problem(picked, f"{kind} id")):
            errors[select] = problem
    return PlatformChoice(application, entity, new_application, new_entity), errors
