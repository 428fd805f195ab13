"""CM.com voice number requests from Slack: form rules, immediate assignment, review, cancel,
and callbacks that are never trusted as they come."""

from __future__ import annotations

import httpx
import pytest

from tests.support.names import ALICE, BOB, CHANNEL, CM_PROFILE
from tests.support.world import block_text

pytestmark = pytest.mark.world(cm=True)


def order(world, country: str = "NL", **values) -> dict:
    """`/resource cm-number <country>`, the form filled and submitted; returns the answer."""
    world.driver.slash_command("/resource", f"cm-number {country}", user=ALICE, channel=CHANNEL)
    world.view(callback_id="cm_order")
    filled = {
        "companyProfileGuid": CM_PROFILE,
        "quantity": "2",
        "phoneNumberType": "LOCAL",
        "areaCode": "020",
        **values,
    }
    return world.driver.submit_view(filled, user=ALICE)


def the_request(world):
    world.wait(lambda: world.requests() and world.requests()[0].thread_ts, what="the request's thread")
    return world.requests()[0]


def test_in_stock_numbers_are_assigned_at_once_and_shown_in_the_thread(world):
    answer = order(world, city="Amsterdam", comment="<!channel> for the NOC")
    assert not answer.errors, answer.errors
    world.view(contains="Ordered")
    request = the_request(world)
    assert request.provider == "cm" and request.callback_token
    world.wait(lambda: "Completed" in world.root_text(request), what="the root to show Completed")
    root = world.root_text(request)
    assert "CM.com number request" in root and "+31 20" in root and "Support desk" in root
    assert "&lt;!channel&gt;" in root and "<!channel>" not in root
    assert "request_cancel" not in root  # final: nothing to cancel


def test_an_order_out_of_stock_is_reviewed_then_accepted_or_rejected_with_the_reason(world):
    assert not order(world, phoneNumberType="NATIONAL", areaCode="85").errors
    request = the_request(world)
    world.wait(lambda: world.request(request.id).provider_request_id, what="the id from the first callback")
    request = world.request(request.id)
    assert request.status == "Pending" and "request_cancel" in world.root_text(request)
    accepted = world.cm_admin.post(
        f"/requests/{request.provider_request_id}/accept", json={"reason": "Ported from our reserve pool."}
    )
    assert accepted.status_code == 200, accepted.text
    thread = world.wait_thread(request.id, 2)
    assert "Accepted" in block_text(thread[-1]) and "reserve pool" in block_text(thread[-1])

    assert not order(world, phoneNumberType="NATIONAL", areaCode="85", quantity="3").errors
    second = world.wait(
        lambda: next((r for r in world.requests() if r.id != request.id and r.provider_request_id), None),
        what="the second order's id",
    )
    world.cm_admin.post(f"/requests/{second.provider_request_id}/reject", json={"reason": "No national stock."})
    thread = world.wait_thread(second.id, 2)
    assert "Rejected" in block_text(thread[-1]) and "No national stock" in block_text(thread[-1])


def test_the_requester_cancels_a_pending_order_a_colleague_may_not(world):
    order(world, phoneNumberType="NATIONAL", areaCode="85")
    request = the_request(world)
    world.wait(lambda: world.request(request.id).provider_request_id, what="the id from the first callback")
    world.driver.block_action("request_cancel", request.id, user=BOB, channel=CHANNEL, message_ts=request.thread_ts)
    world.wait(lambda: world.slack.ephemeral(CHANNEL, BOB), what="the refusal")
    world.driver.block_action("request_cancel", request.id, user=ALICE, channel=CHANNEL, message_ts=request.thread_ts)
    world.wait(lambda: "Cancelled" in world.root_text(request), what="the root to show Cancelled")
    cm_id = world.request(request.id).provider_request_id
    assert world.cm_admin.get(f"/requests/{cm_id}").json()["status"] == "Cancelled"


@pytest.mark.parametrize(
    "values,country,block,fragment",
    [
        ({"areaCode": ""}, "NL", "areaCode", "area code, a city"),
        ({"quantity": "1001"}, "NL", "quantity", "1 to 1000"),
        ({"rangeSize": "10", "quantity": "15"}, "NL", "quantity", "multiple of 10"),
        ({"areaCode": "212"}, "US", "region", "need a region"),
        ({"companyProfileTyped": "not-a-uuid"}, "NL", "companyProfileTyped", "UUID"),
    ],
)
def test_the_forms_rules_are_checked_inline_and_nothing_is_ordered(world, values, country, block, fragment):
    world.driver.slash_command("/resource", f"cm-number {country}", user=ALICE, channel=CHANNEL)
    world.view(callback_id="cm_order")
    filled = {
        "companyProfileGuid": CM_PROFILE,
        "quantity": "2",
        "phoneNumberType": "LOCAL",
        "areaCode": "020",
        **values,
    }
    answer = world.driver.submit_view(filled, user=ALICE, check=False)
    assert fragment in answer.errors[block]
    assert world.requests() == [] and world.cm_admin.get("/requests").json() in ([], {"requests": []})


def test_callbacks_are_read_back_a_forged_token_is_refused_and_a_replay_posts_nothing(world):
    order(world, phoneNumberType="NATIONAL", areaCode="85")
    request = the_request(world)
    world.wait(lambda: world.request(request.id).provider_request_id, what="the id from the first callback")
    request = world.request(request.id)

    forged = httpx.post(
        f"{world.bot_url}/webhooks/cm/not-the-token",
        json={"id": request.provider_request_id, "status": "Accepted", "numbers": ["+31850000000"]},
    )
    assert forged.status_code == 404
    # The right token with a lying body: what CM.com says when asked is what counts.
    lying = httpx.post(
        f"{world.bot_url}/webhooks/cm/{request.callback_token}",
        json={"id": request.provider_request_id, "status": "Accepted", "numbers": ["+31850000000"]},
    )
    assert lying.status_code == 200 and lying.json()["outcome"] == "unchanged"
    assert world.request(request.id).status == "Pending"

    world.cm_admin.post(f"/requests/{request.provider_request_id}/accept", json={"reason": "OK"})
    world.wait_thread(request.id, 2)
    world.cm_admin.post(f"/requests/{request.provider_request_id}/replay")
    world.cm_admin.post("/callbacks/drain", json={"timeout": 10})
    world.wait_idle()
    assert len(world.thread(world.request(request.id))) == 2  # the replayed callback posted nothing


@pytest.mark.world(cm=False)
def test_without_cm_configured_nothing_about_it_shows(world):
    world.driver.slash_command("/resource", "cm-number NL", user=ALICE, channel=CHANNEL)
    [reply] = world.slack.ephemeral(CHANNEL, ALICE)
    assert "CM_PRODUCT_TOKEN" in block_text(reply)
    world.driver.slash_command("/resource", "", user=ALICE, channel=CHANNEL)
    assert "cm-number" not in str(world.view(callback_id="launcher")["blocks"])


def test_a_callback_cannot_attach_someone_elses_order_to_a_thread(world):
    order(world, phoneNumberType="NATIONAL", areaCode="85")
    theirs = the_request(world)
    world.wait(lambda: world.request(theirs.id).provider_request_id, what="the id from the first callback")
    theirs = world.request(theirs.id)
    # An order of ours that CM.com has not called back about yet (no id known).
    from bot.store.requests import create_request

    ours = create_request(
        world.services.db,
        provider="cm",
        kind="CM_NUMBER_REQUEST",
        requester=ALICE,
        status="Pending",
        callback_token="our-token-not-yet-called-back",
    )
    stolen = httpx.post(
        f"{world.bot_url}/webhooks/cm/{ours.callback_token}",
        json={"id": theirs.provider_request_id, "status": "Accepted"},
    )
    assert stolen.status_code == 404
    assert world.request(ours.id).provider_request_id is None


def test_status_of_someone_elses_request_is_not_shown(world):
    order(world, city="Amsterdam")
    request = the_request(world)
    world.driver.slash_command("/resource", f"status {request.id}", user=BOB, channel=CHANNEL)
    assert "no request" in block_text(world.slack.ephemeral(CHANNEL, BOB)[-1])
