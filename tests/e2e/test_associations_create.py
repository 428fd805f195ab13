"""`/resource associate`: the form, its type-dependent fields, inline application/entity creation,
the 409 "already in place" answer, inline validation before any call, and who may use it."""

from __future__ import annotations

from tests.e2e.provisioning_support import (
    audit,
    block,
    ephemeral_texts,
    options,
    own_number,
    own_sender,
    posted,
    provisioning,
    text_of,
    wait_posted,
)
from tests.support.names import ADMIN, BOB, CHANNEL


def open_form(world, user=ADMIN):
    ack = world.driver.slash_command("/resource", "associate", user=user, channel=CHANNEL)
    assert ack.status == 200 and ack.in_time
    return world.view(user, callback_id="association_create", contains="channel.NUMBER")


def test_a_number_is_associated_with_a_new_application_and_entity_and_a_repeat_is_already_in_place(world):
    bought = own_number(world, "GB", ("SMS",))
    form = open_form(world)
    assert options(form, "channel.NUMBER") == ["SMS", "MMS", "WHATSAPP"]
    assert bought["numberKey"] in options(form, "resource.NUMBER")
    assert "default" in options(form, "applicationId") and "__new__" in options(form, "applicationId")

    # "➕ New application…" and "➕ New entity…" show the inputs for the new ones.
    world.driver.block_action("platform_pick", "__new__", user=ADMIN, block_id="applicationId")
    world.view(ADMIN, contains="applicationNewId")
    world.driver.block_action("platform_pick", "__new__", user=ADMIN, block_id="entityId")
    form = world.view(ADMIN, contains="entityNewId")
    assert [b.get("block_id") for b in form["blocks"]].index("applicationNewId") == [
        b.get("block_id") for b in form["blocks"]
    ].index("applicationId") + 1

    submitted = world.driver.submit_view(
        {
            "resource.NUMBER": bought["numberKey"],
            "channel.NUMBER": "SMS",
            "applicationNewId": "shop",
            "applicationNewName": "Shop <!channel>",
            "entityNewId": "acme",
        },
        user=ADMIN,
    )
    assert submitted.errors is None
    done = world.view(ADMIN, contains="Associated")
    assert f"+{bought['number']}" in text_of(done)

    state = provisioning(world)
    assert {"applicationId": "shop", "applicationName": "Shop <!channel>"} in state["applications"]
    assert {"entityId": "acme"} in state["entities"]
    assert state["associations"] == [
        {
            "resourceType": "NUMBER",
            "channel": "SMS",
            "applicationId": "shop",
            "entityId": "acme",
            "resourceId": bought["numberKey"],
        }
    ]
    assert [e.action for e in audit(world)] == ["application.create", "entity.create", "association.create"]
    created = audit(world, "association.")[0]
    assert created.actor == ADMIN and created.before is None
    assert created.after == state["associations"][0]
    announcement = wait_posted(world, "associated the number")
    assert f"<@{ADMIN}>" in announcement and "`shop`" in announcement and "`acme`" in announcement
    shop_post = wait_posted(world, "created application")
    assert "&lt;!channel&gt;" in shop_post and "<!channel>" not in shop_post

    # The same association again: Infobip answers 409, the person reads "already in place".
    world.slack.close_views(ADMIN, clear=True)
    open_form(world)
    again = world.driver.submit_view(
        {"resource.NUMBER": bought["numberKey"], "channel.NUMBER": "SMS", "applicationId": "shop", "entityId": "acme"},
        user=ADMIN,
    )
    assert again.errors is None
    repeat = world.view(ADMIN, contains="already in place")
    assert "Could not" not in text_of(repeat) and "warning" not in text_of(repeat)
    assert len(provisioning(world)["associations"]) == 1
    assert len(audit(world, "association.")) == 1


def test_the_type_decides_the_channels_and_the_resource_field_and_bad_ids_are_refused_inline(world):
    own_sender(world, "ACME")
    open_form(world)

    world.driver.block_action("association_type", "DOMAIN", user=ADMIN)
    form = world.view(ADMIN, contains="channel.DOMAIN")
    assert options(form, "channel.DOMAIN") == ["EMAIL"]
    assert "channel.NUMBER" not in text_of(form) and not block(form, "typed.DOMAIN").get("optional")

    world.driver.block_action("platform_pick", "__new__", user=ADMIN, block_id="applicationId")
    world.view(ADMIN, contains="applicationNewId")
    calls_before = len(world.sandbox_admin.get("/provisioning").json()["applications"])
    refused = world.driver.submit_view(
        {"typed.DOMAIN": "https://mail.example.com/x", "applicationNewId": "shop eu/1"}, user=ADMIN
    )
    assert "domain name" in refused.errors["typed.DOMAIN"]
    assert "spaces" in refused.errors["applicationNewId"] and "“/”" in refused.errors["applicationNewId"]
    too_long = world.driver.submit_view(
        {"typed.DOMAIN": "mail.example.com", "applicationNewId": "a" * 256}, user=ADMIN, check=False
    )
    assert "at most 255" in too_long.errors["applicationNewId"]
    assert len(provisioning(world)["applications"]) == calls_before and audit(world) == []

    # Back to an existing application: the inputs for a new one go away; the domain is typed.
    world.driver.block_action("platform_pick", "default", user=ADMIN, block_id="applicationId")
    world.wait(lambda: "applicationNewId" not in text_of(world.slack.current_view(ADMIN)), what="inputs hidden")
    assert world.driver.submit_view({"typed.DOMAIN": "mail.example.com"}, user=ADMIN).errors is None
    world.view(ADMIN, contains="Associated")

    # An alphanumeric sender is picked from the owned-resources search; it serves SMS only.
    world.slack.close_views(ADMIN, clear=True)
    open_form(world)
    world.driver.block_action("association_type", "ALPHA", user=ADMIN)
    form = world.view(ADMIN, contains="channel.ALPHA")
    assert options(form, "channel.ALPHA") == ["SMS"] and options(form, "resource.ALPHA") == ["ACME"]
    both = world.driver.submit_view({"resource.ALPHA": "ACME", "typed.ALPHA": "OTHER"}, user=ADMIN)
    assert "not both" in both.errors["typed.ALPHA"]
    assert world.driver.submit_view({"typed.ALPHA": ""}, user=ADMIN).errors is None
    world.view(ADMIN, contains="Associated")

    associations = provisioning(world)["associations"]
    assert {
        "resourceType": "DOMAIN",
        "channel": "EMAIL",
        "applicationId": "default",
        "resourceId": "mail.example.com",
    } in associations
    assert {"resourceType": "ALPHA", "channel": "SMS", "applicationId": "default", "resourceId": "ACME"} in associations
    assert [e.action for e in audit(world)] == ["association.create", "association.create"]


def test_only_routing_managers_may_associate(world):
    own_number(world)
    ack = world.driver.slash_command("/resource", "associate", user=BOB, channel=CHANNEL)
    assert ack.status == 200 and ack.in_time
    refusal = world.wait(lambda: ephemeral_texts(world, BOB), what="an ephemeral refusal")[-1]
    assert "Only routing managers" in refusal and "nothing was changed" in refusal and f"<@{ADMIN}>" in refusal
    assert world.slack.current_view(BOB) is None
    assert provisioning(world)["associations"] == [] and audit(world) == [] and posted(world) == []


def test_the_launcher_leads_to_the_form_and_to_the_list(world):
    own_number(world)
    for user, choice, expected in (
        (ADMIN, "associate", "channel.NUMBER"),
        (BOB, "associate", "Only routing managers"),
        (BOB, "associations", "There are no associations yet"),
    ):
        world.driver.slash_command("/resource", "", user=user, channel=CHANNEL)
        world.view(user, callback_id="launcher")
        assert world.driver.submit_view({"what": choice}, user=user).errors is None
        world.view(user, contains=expected)


def own_number_with_long_key(world) -> dict[str, str]:
    """An owned number whose numberKey is longer than a select option's 150-character value."""
    bought = own_number(world)
    numbers = world.sandbox.numbers
    record = numbers.owned.pop(bought["numberKey"])
    record["numberKey"] = "K" * 151 + bought["numberKey"]
    numbers.owned[record["numberKey"]] = record
    return {"number": record["number"], "numberKey": record["numberKey"]}


def test_an_id_too_long_for_a_list_is_typed_and_a_slow_lookup_answers_in_time(world):
    bought = own_number_with_long_key(world)
    form = open_form(world)
    # A select would cut the key to 150 characters and submit another id: a text input instead.
    assert "resource.NUMBER" not in text_of(form) and "too long to pick from a list" in text_of(form)
    assert all(len(o["value"]) <= 150 for b in form["blocks"] for o in (b.get("element") or {}).get("options", []))

    # The digits are looked up before Slack's 3 s for the ack run out: a slow Infobip is said inline.
    world.sandbox_fault(operation_id="list-owned-numbers", delay=2.6)
    slow = world.driver.submit_view({"typed.NUMBER": f"+{bought['number']}", "channel.NUMBER": "SMS"}, user=ADMIN)
    assert slow.in_time and slow.errors == {"typed.NUMBER": "Infobip is slow to answer; try again in a moment."}
    assert provisioning(world)["associations"] == []

    assert (
        world.driver.submit_view({"typed.NUMBER": f"+{bought['number']}", "channel.NUMBER": "SMS"}, user=ADMIN).errors
        is None
    )
    world.view(ADMIN, contains="Associated")
    [association] = provisioning(world)["associations"]
    assert association["resourceId"] == bought["numberKey"]  # the whole key, not 150 characters of it
