"""Inbound routing of a number from Slack: the number level (PUT /numbers/1/numbers/{numberKey}),
keyword configurations (create, change, delete) each with an application/entity, the sandbox's
routing showing that a configuration wins over the number level, and read-only for non-managers."""

from __future__ import annotations

import json

import httpx

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
    [bought] = world.sandbox.numbers.procure("GB", "VIRTUAL_LONG_NUMBER", ("SMS",), 1)
    return bought


def my_numbers_row(world, number_key: str) -> str:
    """A message with the `number_routing` button, as the my-numbers rows carry it; returns its ts."""
    blocks = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "a number"},
            "accessory": {
                "type": "button",
                "action_id": "number_routing",
                "value": number_key,
                "text": {"type": "plain_text", "text": "Inbound routing"},
            },
        }
    ]
    answer = httpx.post(
        world.slack.api_url + "chat.postMessage",
        timeout=10,
        headers={"Authorization": f"Bearer {world.slack.config.bot_token}"},
        data={"channel": CHANNEL, "text": "a number", "blocks": json.dumps(blocks)},
    ).json()
    assert answer["ok"], answer
    return answer["ts"]


def route(world, number_key: str, text: str) -> dict:
    response = world.sandbox_admin.get("/inbound/route", params={"numberKey": number_key, "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def config_row(view: dict, fragment: str) -> str:
    return next(
        b["block_id"]
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == "keyword_edit" and fragment in b["text"]["text"]
    )


def test_number_level_and_keyword_configurations_and_which_wins(world):
    number = seed(world)
    key = number["numberKey"]
    ts = my_numbers_row(world, key)

    world.driver.block_action("number_routing", user=ADMIN, channel=CHANNEL, message_ts=ts)
    routing = world.view(ADMIN, callback_id="inbound_routing", contains="Number level")
    shown = text_of(routing)
    assert f"+{number['number']}" in shown and "Which setting wins" in shown and "None yet" in shown

    # Number level: application and entity, by PUT.
    assert world.driver.submit_view({"applicationId": "shop", "entityId": "acme"}, user=ADMIN).errors is None
    world.view(ADMIN, callback_id="inbound_routing", contains="Number level saved")
    owned = world.sandbox_admin.get("/numbers/owned").json()["numbers"][0]
    assert (owned["applicationId"], owned["entityId"]) == ("shop", "acme")
    [entry] = audit(world, "routing.number")
    assert entry.before == {"applicationId": "default", "entityId": None}
    assert entry.after == {"applicationId": "shop", "entityId": "acme"}
    assert "application `default` → `shop`, entity none → `acme`" in wait_posted(world, "number-level routing")
    assert route(world, key, "HELLO") == {"applicationId": "shop", "entityId": "acme", "source": "number"}

    # A keyword configuration, with an application created on the way; keywords are checked first.
    world.driver.block_action("keyword_add", user=ADMIN, block_id="configurations")
    world.view(ADMIN, callback_id="inbound_keyword", contains="inboundChannel")
    assert "one word" in world.driver.submit_view({"keyword": "STOP NOW"}, user=ADMIN).errors["keyword"]
    long = world.driver.submit_view({"keyword": "K" * 51}, user=ADMIN, check=False)
    assert "at most 50" in long.errors["keyword"]
    world.driver.block_action("platform_pick", "__new__", user=ADMIN, block_id="applicationId")
    world.view(ADMIN, callback_id="inbound_keyword", contains="applicationNewId")
    bad_id = world.driver.submit_view({"keyword": "STOP", "applicationNewId": "opt&out"}, user=ADMIN)
    assert "“&”" in bad_id.errors["applicationNewId"]
    assert world.driver.submit_view({"keyword": "STOP", "applicationNewId": "optout"}, user=ADMIN).errors is None
    world.view(ADMIN, contains="Added the configuration")
    routing = world.wait(
        lambda: "`STOP`" in text_of(world.slack.view(routing["id"])) and world.slack.view(routing["id"]),
        what="the routing modal refreshed",
    )
    assert "application `optout`, no entity" in text_of(routing)
    assert route(world, key, "stop please")["source"] == "configuration"
    assert route(world, key, "stop please")["applicationId"] == "optout"  # the configuration wins
    assert route(world, key, "HELLO")["source"] == "number"
    assert [e.action for e in audit(world)][-2:] == ["application.create", "routing.keyword.create"]
    assert "added an inbound configuration for keyword `STOP`" in wait_posted(world, "added an inbound")

    # The same keyword again is refused in the form: it would overwrite the existing one.
    world.slack.close_views(ADMIN)
    world.driver.block_action("keyword_add", user=ADMIN, block_id="configurations")
    world.view(ADMIN, callback_id="inbound_keyword", contains="inboundChannel")
    assert "already has a configuration" in world.driver.submit_view({"keyword": "stop"}, user=ADMIN).errors["keyword"]
    # A catch-all configuration (no keyword) on the entity only.
    assert (
        world.driver.submit_view({"keyword": "", "applicationId": "__none__", "entityId": "acme"}, user=ADMIN).errors
        is None
    )
    world.view(ADMIN, contains="Added the configuration")
    assert route(world, key, "HELLO") == {
        "entityId": "acme",
        "source": "configuration",
        "configurationKey": route(world, key, "HELLO")["configurationKey"],
    }

    # Change the STOP configuration: another keyword and the number level for its routing.
    world.slack.close_views(ADMIN)
    routing = world.wait(
        lambda: "every message without" in text_of(world.slack.view(routing["id"])) and world.slack.view(routing["id"]),
        what="the routing modal refreshed",
    )
    world.driver.block_action("keyword_edit", user=ADMIN, block_id=config_row(routing, "STOP"))
    world.view(ADMIN, callback_id="inbound_keyword", contains="Delete configuration")
    assert world.driver.submit_view({"keyword": "UNSUBSCRIBE", "applicationId": "shop"}, user=ADMIN).errors is None
    world.view(ADMIN, contains="Saved the configuration")
    [changed] = audit(world, "routing.keyword.update")
    assert changed.before["keyword"] == "STOP" and changed.before["platform"]["applicationId"] == "optout"
    assert changed.after["keyword"] == "UNSUBSCRIBE" and changed.after["platform"]["applicationId"] == "shop"
    assert route(world, key, "unsubscribe")["applicationId"] == "shop"
    assert route(world, key, "STOP")["configurationKey"] != changed.after["configurationKey"]  # the catch-all now

    # Delete it: its messages fall to the catch-all configuration.
    world.slack.close_views(ADMIN)
    routing = world.wait(
        lambda: "UNSUBSCRIBE" in text_of(world.slack.view(routing["id"])) and world.slack.view(routing["id"]),
        what="the routing modal refreshed",
    )
    world.driver.block_action("keyword_edit", user=ADMIN, block_id=config_row(routing, "UNSUBSCRIBE"))
    world.view(ADMIN, callback_id="inbound_keyword", contains="Delete configuration")
    world.driver.block_action("keyword_delete", user=ADMIN, block_id="delete")
    world.view(ADMIN, contains="Deleted the configuration")
    assert route(world, key, "unsubscribe")["entityId"] == "acme" and "applicationId" not in route(world, key, "x")
    [removed] = audit(world, "routing.keyword.delete")
    assert removed.before["keyword"] == "UNSUBSCRIBE" and removed.actor == ADMIN
    wait_posted(world, "deleted the inbound configuration")


def test_anyone_may_look_at_routing_but_only_routing_managers_change_it(world):
    number = seed(world)
    ts = my_numbers_row(world, number["numberKey"])
    world.driver.block_action("number_routing", user=BOB, channel=CHANNEL, message_ts=ts)
    view = world.view(BOB, callback_id="inbound_routing", contains="You can look")
    assert view.get("submit") is None and "keyword_add" not in text_of(view) and "applicationId" not in text_of(view)
    assert "application `default`, no entity" in text_of(view)

    # A forged submission (Bob's modal has no Save) is refused too; nothing changes.
    world.driver.submit_view({}, user=BOB, check=False)
    world.view(BOB, contains="Only routing managers")
    owned = world.sandbox_admin.get("/numbers/owned").json()["numbers"][0]
    assert owned["applicationId"] == "default" and audit(world) == []


def test_the_routing_of_a_number_is_reachable_from_the_association_list(world):
    number = seed(world)
    world.driver.slash_command("/resource", "associations", user=ADMIN, channel=CHANNEL)
    world.view(ADMIN, callback_id="association_list")
    world.driver.block_action("routing_open", user=ADMIN)
    world.view(ADMIN, callback_id="routing_pick")
    world.driver.submit_view({"routingNumber": number["numberKey"]}, user=ADMIN)
    world.view(ADMIN, callback_id="inbound_routing", contains=number["number"])
    assert provisioning(world)["associations"] == [] and not ephemeral_texts(world, ADMIN)


SLOW = "Infobip is slow to answer; try again in a moment."


def test_a_number_picked_by_digits_and_slow_lookups_before_the_ack(world):
    number = seed(world)
    # A numberKey too long for a select option's value: the number is typed instead.
    numbers = world.sandbox.numbers
    record = numbers.owned.pop(number["numberKey"])
    record["numberKey"] = key = "K" * 151 + number["numberKey"]
    numbers.owned[key] = record
    world.driver.slash_command("/resource", "associations", user=ADMIN, channel=CHANNEL)
    world.view(ADMIN, callback_id="association_list")
    world.driver.block_action("routing_open", user=ADMIN)
    pick = world.view(ADMIN, callback_id="routing_pick")
    assert pick["blocks"][0]["element"]["type"] == "plain_text_input"

    world.sandbox_fault(operation_id="list-owned-numbers", delay=2.6)
    slow = world.driver.submit_view({"routingNumber": f"+{number['number']}"}, user=ADMIN)
    assert slow.in_time and slow.errors == {"routingNumber": SLOW}
    assert world.driver.submit_view({"routingNumber": f"+{number['number']}"}, user=ADMIN).errors is None
    world.view(ADMIN, callback_id="inbound_routing", contains=number["number"])

    # The keyword check reads the existing configurations before the ack: bounded the same way.
    world.driver.block_action("keyword_add", user=ADMIN, block_id="configurations")
    world.view(ADMIN, callback_id="inbound_keyword", contains="inboundChannel")
    world.sandbox_fault(operation_id="get-inbound-configurations", delay=2.6)
    slow = world.driver.submit_view({"keyword": "STOP"}, user=ADMIN)
    assert slow.in_time and slow.errors == {"keyword": SLOW}
    assert audit(world) == []


def test_a_number_without_sms_or_mms_gets_a_message_instead_of_a_keyword_form():
    from bot.providers.infobip.models import Number
    from bot.slack.provisioning.keywords import keyword_view
    from bot.slack.provisioning.view_state import ViewState

    voice_only = Number.model_validate({"numberKey": "K1", "number": "447700900123", "capabilities": ["VOICE"]})
    view = keyword_view(ViewState(target="K1"), voice_only, None, [], [])
    assert view.get("callback_id") is None and "takes no SMS or MMS" in text_of(view)
