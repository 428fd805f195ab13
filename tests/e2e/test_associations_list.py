"""`/resource associations`: paging inside the modal, every filter (command and filter inputs),
the single-association lookup, Delete (the resource stays), and refusals for non-managers."""

from __future__ import annotations

from tests.e2e.provisioning_support import (
    audit,
    ephemeral_texts,
    own_number,
    posted,
    provisioning,
    text_of,
    wait_posted,
)
from tests.support.names import ADMIN, BOB, CHANNEL


def seed(world) -> dict[str, str]:
    """12 senders on `shop` (every other one with entity `acme`), a domain on `default`, a number
    on `shop`/`acme`: 14 associations. Returns the number."""
    bought = own_number(world, "GB", ("SMS",))
    part = world.sandbox.provisioning
    part.applications.items["shop"] = {"applicationId": "shop", "applicationName": "Shop"}
    part.entities.items["acme"] = {"entityId": "acme", "entityName": "Acme"}
    for i in range(12):
        part.associations.append(
            {
                "resourceType": "ALPHA",
                "channel": "SMS",
                "applicationId": "shop",
                "entityId": "acme" if i % 2 else None,
                "resourceId": f"S{i:02d}",
            }
        )
    part.associations.append(
        {
            "resourceType": "DOMAIN",
            "channel": "EMAIL",
            "applicationId": "default",
            "entityId": None,
            "resourceId": "mail.example.com",
        }
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
    return bought


def rows(view: dict) -> list[str]:
    return [
        b["text"]["text"]
        for b in view["blocks"]
        if str(b.get("block_id", "")).startswith("row.") and b["type"] == "section"
    ]


def listed(world, text: str = "", user: str = ADMIN, contains: str = "association") -> dict:
    """The list this command opens: a new modal, not the one the previous command left on top."""
    before = (world.slack.current_view(user) or {}).get("id")
    ack = world.driver.slash_command("/resource", f"associations {text}".strip(), user=user, channel=CHANNEL)
    assert ack.status == 200 and ack.in_time

    def opened():
        view = world.slack.current_view(user)
        if view and view["id"] != before and view.get("callback_id") == "association_list":
            return view if contains in str(view.get("blocks")) else None
        return None

    return world.wait(opened, what=f"a new association_list view for {user} saying {contains!r}")


def test_the_list_pages_inside_the_modal_and_every_filter_narrows_it(world):
    bought = seed(world)

    first = listed(world, contains="page 1 of 2")
    assert len(rows(first)) == 10 and "14 associations" in text_of(first)
    world.driver.block_action("association_page.next", user=ADMIN)
    second = world.view(ADMIN, contains="page 2 of 2")
    assert len(rows(second)) == 4
    assert f"+{bought['number']}" in text_of(second)  # a number shows by its digits, not only its key
    world.driver.block_action("association_page.prev", user=ADMIN)
    world.view(ADMIN, contains="page 1 of 2")

    for text, count, expected in (
        ("type=NUMBER", 1, bought["number"]),
        ("app=default", 1, "mail.example.com"),
        ("entity=acme", 7, "S01"),
        ("channel=email", 1, "mail.example.com"),
        (f"resource=+{bought['number']}", 1, bought["numberKey"]),
        ("resource=S03 type=ALPHA app=shop entity=acme channel=SMS", 1, "S03"),
    ):
        view = listed(world, text, contains="· page 1 of 1" if count else "No association")
        assert len(rows(view)) == count, text
        assert expected in text_of(view), text
    assert "type `ALPHA`" in text_of(view) and "entity `acme`" in text_of(view)

    # The filter inputs under the list filter it as well; "Any" clears one.
    submitted = world.driver.submit_view(
        {
            "filterType": "ANY",
            "filterChannel": "ANY",
            "filterApp": "",
            "filterEntity": "",
            "filterResource": "",
        },
        user=ADMIN,
    )
    assert submitted.errors is None
    world.view(ADMIN, contains="page 1 of 2")
    refused = world.driver.submit_view({"filterApp": "no such/app"}, user=ADMIN)
    assert "“/”" in refused.errors["filterApp"]
    world.driver.submit_view({"filterApp": "", "filterType": "DOMAIN"}, user=ADMIN)
    domain_only = world.view(ADMIN, contains="type `DOMAIN`")
    assert rows(domain_only) and all("mail.example.com" in r for r in rows(domain_only))

    # Filters that can't match anything are explained, not sent.
    for text, why in (
        ("type=FAX", "type= takes one of"),
        ("app=bad%20id", "“%”"),
        ("type=DOMAIN channel=SMS", "Email domain resources serve Email only"),
    ):
        before = len(ephemeral_texts(world, ADMIN))
        world.driver.slash_command("/resource", f"associations {text}", user=ADMIN, channel=CHANNEL)
        said = world.wait(lambda before=before: ephemeral_texts(world, ADMIN)[before:], what="an ephemeral answer")[-1]
        assert why in said, text


def test_details_come_from_the_single_lookup_and_delete_keeps_the_resource(world):
    bought = seed(world)
    view = listed(world, "type=NUMBER", contains="page 1 of 1")
    world.driver.block_action("association_show", user=ADMIN, block_id="row.0.actions")
    details = world.view(ADMIN, callback_id="association_details")
    shown = text_of(details)
    assert f"+{bought['number']}" in shown and "`shop` (Shop)" in shown and "`acme` (Acme)" in shown
    assert "number_routing" in shown  # the number's inbound routing is one click away

    # A colleague who may not change associations is told so; nothing changes.
    world.driver.block_action("association_delete", user=BOB, view_id=view["id"], block_id="row.0.actions")
    refusal = world.wait(lambda: ephemeral_texts(world, BOB), what="a refusal")[-1]
    assert "Only routing managers" in refusal
    assert len(provisioning(world)["associations"]) == 14 and audit(world) == []

    # Delete from the details: the association goes, the number stays, the list under it is redrawn.
    world.driver.block_action("association_delete", user=ADMIN, block_id="details")
    world.view(ADMIN, contains="Deleted the association")
    left = provisioning(world)["associations"]
    assert len(left) == 13 and all(a["resourceType"] != "NUMBER" for a in left)
    assert bought["numberKey"] in [n["numberKey"] for n in world.sandbox_admin.get("/numbers/owned").json()["numbers"]]
    [entry] = audit(world, "association.delete")
    assert entry.actor == ADMIN and entry.before == {
        "resourceType": "NUMBER",
        "channel": "SMS",
        "applicationId": "shop",
        "entityId": "acme",
        "resourceId": bought["numberKey"],
    }
    said = wait_posted(world, "deleted the association")
    assert f"<@{ADMIN}>" in said and "resource itself stays" in said
    world.wait(lambda: "No association" in text_of(world.slack.view(view["id"])), what="the list redrawn")

    # Delete from a row of the list (a sender without entity: its DELETE body says entityId null).
    listed(world, "resource=S00", contains="page 1 of 1")
    world.driver.block_action("association_delete", user=ADMIN, block_id="row.0.actions")
    world.view(ADMIN, contains="Deleted the association")
    assert not any(a["resourceId"] == "S00" for a in provisioning(world)["associations"])
    assert len(audit(world, "association.delete")) == 2
    assert len([t for t in posted(world) if "deleted the association" in t]) == 2
