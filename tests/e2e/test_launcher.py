"""`/resource` alone opens a launcher for people who don't remember the commands."""

from __future__ import annotations

from tests.support.names import ALICE, CHANNEL
from tests.support.world import BOTH_TRANSPORTS

pytestmark = BOTH_TRANSPORTS  # the same request flow over HTTP and over Socket Mode


def test_the_launcher_leads_to_the_right_form_and_explains_a_country_it_does_not_know(world):
    ack = world.driver.slash_command("/resource", "", user=ALICE, channel=CHANNEL)
    assert ack.status == 200 and ack.in_time
    world.view(callback_id="launcher")

    unknown = world.driver.submit_view({"what": "sender", "country": "Atlantis"}, user=ALICE)
    assert "Atlantis" in unknown.errors["country"]

    chosen = world.driver.submit_view(
        {
            "what": "number",
            "country": "United States",
            "number_type": "TOLL_FREE_NUMBER",
            "capabilities": ["SMS", "VOICE"],
            "quantity": "3",
        },
        user=ALICE,
    )
    assert not chosen.errors
    form = world.view(callback_id="request_form", contains="quantity")
    assert "US" in form["title"]["text"]
    assert world.driver.submit_view({}, user=ALICE).errors is None
    world.view(contains="submitted")
    [request] = world.requests()
    assert (request.country, request.number_type, request.capabilities, request.quantity) == (
        "US",
        "TOLL_FREE_NUMBER",
        ["SMS", "VOICE"],
        3,
    )
    assert request.channel == CHANNEL  # the thread goes where /resource was typed


def test_the_request_a_resource_shortcut_opens_the_launcher_and_the_thread_goes_to_a_dm(world):
    ack = world.driver.global_shortcut("request_resource", user=ALICE)
    assert ack.status == 200 and ack.in_time
    launcher = world.view(callback_id="launcher")
    assert "sender" in str(launcher["blocks"]) and "number" in str(launcher["blocks"])

    assert not world.driver.submit_view(
        {
            "what": "number",
            "country": "United States",
            "number_type": "TOLL_FREE_NUMBER",
            "capabilities": ["SMS"],
            "quantity": "1",
        },
        user=ALICE,
    ).errors
    world.view(callback_id="request_form", contains="quantity")
    assert world.driver.submit_view({}, user=ALICE).errors is None
    world.view(contains="submitted")
    [request] = world.requests()
    assert request.requester == ALICE and request.channel.startswith("D")  # no channel: the user's DM
