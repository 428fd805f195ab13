"""Applications and entities from the association list: list, create, rename, delete with the
reset warning (their resources go back to application `default`, no entity), and refusals."""

from __future__ import annotations

from tests.e2e.provisioning_support import (
    audit,
    ephemeral_texts,
    provisioning,
    text_of,
    wait_posted,
)
from tests.support.names import ADMIN, BOB, CHANNEL


def seed(world) -> dict[str, str]:
    part = world.sandbox.provisioning
    part.applications.items["shop"] = {"applicationId": "shop", "applicationName": "Shop"}
    part.entities.items["acme"] = {"entityId": "acme", "entityName": "Acme"}
    [bought] = world.sandbox.numbers.procure(
        "GB", "VIRTUAL_LONG_NUMBER", ("SMS",), 1, application_id="shop", entity_id="acme"
    )
    part.associations.append(
        {
            "resourceType": "NUMBER",
            "channel": "SMS",
            "applicationId": "shop",
            "entityId": "acme",
            "resourceId": bought["numberKey"],
        }
    )
    part.associations.append(
        {
            "resourceType": "ALPHA",
            "channel": "SMS",
            "applicationId": "default",
            "entityId": "acme",
            "resourceId": "ACME",
        }
    )
    return bought


def open_platforms(world, user=ADMIN) -> dict:
    world.driver.slash_command("/resource", "associations", user=user, channel=CHANNEL)
    world.view(user, callback_id="association_list")
    world.driver.block_action("platforms_open", user=user)
    return world.view(user, callback_id="platforms", contains="Edit")


def edit_block(view: dict, item_id: str) -> str:
    return next(b["block_id"] for b in view["blocks"] if (b.get("accessory") or {}).get("value") == item_id)


def test_applications_are_created_renamed_and_deleted_with_the_reset(world):
    bought = seed(world)
    listing = open_platforms(world)
    assert "`default`" in text_of(listing) and "*Shop* · `shop`" in text_of(listing)
    assert "resets every resource linked to it to application `default`" in text_of(listing)

    # Create: the id is checked before anything is sent; then created, recorded and announced.
    world.driver.block_action("platform_new", user=ADMIN)
    world.view(ADMIN, callback_id="platform_form", contains="platformId")
    refused = world.driver.submit_view({"platformId": "Marketing EU"}, user=ADMIN)
    assert "spaces" in refused.errors["platformId"]
    assert world.driver.submit_view({"platformId": "marketing", "platformName": "Marketing"}, user=ADMIN).errors is None
    world.view(ADMIN, contains="Created application")
    assert {"applicationId": "marketing", "applicationName": "Marketing"} in provisioning(world)["applications"]
    world.wait(lambda: "`marketing`" in text_of(world.slack.view(listing["id"])), what="the list refreshed")
    assert "created application `marketing` (Marketing)" in wait_posted(world, "created application")

    # The same id again: Infobip's 409 is explained in the form, which keeps what was typed.
    world.slack.close_views(ADMIN)
    world.driver.block_action("platform_new", user=ADMIN)
    world.view(ADMIN, callback_id="platform_form", contains="platformId")
    world.driver.submit_view({"platformId": "marketing"}, user=ADMIN)
    again = world.view(ADMIN, callback_id="platform_form", contains="already exists")
    assert "marketing" in str(again["blocks"])
    world.slack.close_views(ADMIN)

    # Rename.
    world.driver.block_action("platform_edit", user=ADMIN, block_id=edit_block(world.slack.view(listing["id"]), "shop"))
    edit = world.view(ADMIN, callback_id="platform_form", contains="uses it")
    assert "1 association uses it" in text_of(edit)
    assert "resets every resource linked to it" in text_of(edit)
    world.driver.submit_view({"platformName": "Shop EU"}, user=ADMIN)
    world.view(ADMIN, contains="Renamed application")
    [renamed] = audit(world, "application.rename")
    assert (renamed.before, renamed.after) == ({"applicationName": "Shop"}, {"applicationName": "Shop EU"})
    assert "“Shop” → “Shop EU”" in wait_posted(world, "renamed application")
    world.slack.close_views(ADMIN)

    # Delete: the number and its association fall back to `default`, entity none.
    world.driver.block_action("platform_edit", user=ADMIN, block_id=edit_block(world.slack.view(listing["id"]), "shop"))
    edit = world.view(ADMIN, callback_id="platform_form", contains="platform_delete")
    delete_button = next(e for b in edit["blocks"] if b["type"] == "actions" for e in b["elements"])
    dialog = delete_button["confirm"]["text"]
    assert dialog["type"] == "plain_text" and "“default” application and no entity" in dialog["text"]
    world.driver.block_action("platform_delete", user=ADMIN)
    world.view(ADMIN, contains="Deleted application")
    state = provisioning(world)
    assert "shop" not in [a["applicationId"] for a in state["applications"]]
    assert {
        "resourceType": "NUMBER",
        "channel": "SMS",
        "applicationId": "default",
        "resourceId": bought["numberKey"],
    } in state["associations"]
    number = world.sandbox_admin.get("/numbers/owned").json()["numbers"][0]
    assert number["applicationId"] == "default" and "entityId" not in number
    [deleted] = audit(world, "application.delete")
    assert deleted.before["applicationName"] == "Shop EU" and len(deleted.before["associations"]) == 1
    assert deleted.after == {"resetTo": {"applicationId": "default", "entityId": None}}
    assert "now use application `default` and no entity" in wait_posted(world, "deleted application")

    # `default` can be renamed, never deleted.
    world.slack.close_views(ADMIN)
    world.driver.block_action(
        "platform_edit", user=ADMIN, block_id=edit_block(world.slack.view(listing["id"]), "default")
    )
    default = world.view(ADMIN, callback_id="platform_form", contains="renamed but not deleted")
    assert "platform_delete" not in text_of(default)


def test_entities_are_managed_the_same_way_and_only_by_routing_managers(world):
    seed(world)
    listing = open_platforms(world)
    world.driver.block_action("platforms_tab.entity", user=ADMIN)
    entities = world.view(ADMIN, callback_id="platforms", contains="`acme`")
    assert "`shop`" not in text_of(entities)

    # Bob may look, not change: New and Edit are refused with a word, and nothing happens.
    bobs = open_platforms(world, user=BOB)
    world.driver.block_action("platform_new", user=BOB)
    world.driver.block_action("platform_edit", user=BOB, block_id=edit_block(bobs, "shop"))
    refusals = world.wait(
        lambda: len(ephemeral_texts(world, BOB)) >= 2 and ephemeral_texts(world, BOB), what="two refusals"
    )
    assert all("Only routing managers" in r for r in refusals)
    assert world.slack.current_view(BOB)["callback_id"] == "platforms"

    entities = world.slack.view(listing["id"])
    world.driver.block_action("platform_edit", user=ADMIN, block_id=edit_block(entities, "acme"))
    world.view(ADMIN, callback_id="platform_form", contains="2 associations use it")
    world.driver.submit_view({"platformName": ""}, user=ADMIN)
    world.view(ADMIN, contains="Renamed entity")
    world.slack.close_views(ADMIN)
    world.driver.block_action("platform_edit", user=ADMIN, block_id=edit_block(entities, "acme"))
    world.view(ADMIN, callback_id="platform_form", contains="platform_delete")
    world.driver.block_action("platform_delete", user=ADMIN)
    world.view(ADMIN, contains="Deleted entity")
    state = provisioning(world)
    assert state["entities"] == []
    assert all("entityId" not in a and a["applicationId"] == "default" for a in state["associations"])
    assert [e.action for e in audit(world)] == ["entity.rename", "entity.delete"]
    assert audit(world, "entity.rename")[0].after == {"entityName": None}
