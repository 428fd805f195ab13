"""My requests: the App Home tab, `/resource list` and `status`, reminders, and the reconciler."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.names import ADMIN, ALICE, BOB, CHANNEL
from tests.support.world import block_text

GB_NUMBER = "number GB VIRTUAL_LONG_NUMBER"


def home(world, user: str, after: int = 0) -> str:
    """The user's Home tab once it has been published more than `after` times."""
    world.wait(
        lambda: len([c for c in world.slack.calls("views.publish") if c.args.get("user_id") == user]) > after,
        what=f"the Home tab of {user} to be published",
    )
    return block_text(world.slack.home_view(user))


def publishes(world, user: str) -> int:
    return len([c for c in world.slack.calls("views.publish") if c.args.get("user_id") == user])


def test_home_for_the_requester_and_for_an_admin_after_a_series_of_lifecycle_events(world):
    done = world.new_request(GB_NUMBER)
    world.reviewer(done, "complete")
    waiting = world.ask_for_changes(world.new_request(f"{GB_NUMBER} 2"), "quantity", "Two numbers need a reason.")
    bobs = world.new_request(GB_NUMBER, user=BOB)
    world.wait_idle()

    world.driver.open_home(user=ALICE)
    alice = home(world, ALICE)
    assert "My requests" in alice and done.id in alice and waiting.id in alice and bobs.id not in alice
    assert (
        alice.index("*🔴 Action required*")
        < alice.index(waiting.id)
        < alice.index("*🟢 Completed*")
        < alice.index(done.id)
    )
    assert "Infobip" in alice and "Open thread" in alice and "request_update" in alice

    # An admin sees their own (none), then switches to everyone's, then filters.
    world.driver.open_home(user=ADMIN)
    assert "No requests yet" in home(world, ADMIN)
    seen = publishes(world, ADMIN)
    world.driver.block_action("home_scope", "all", user=ADMIN)
    everyone = home(world, ADMIN, after=seen)
    assert "All requests" in everyone and all(r.id in everyone for r in (done, waiting, bobs))
    seen = publishes(world, ADMIN)
    world.driver.block_action("home_filter", "COMPLETED", user=ADMIN)
    completed = home(world, ADMIN, after=seen)
    assert done.id in completed and waiting.id not in completed and bobs.id not in completed

    # A colleague can't switch to everyone's requests.
    world.driver.open_home(user=BOB)
    assert "home_scope" not in home(world, BOB)


def test_home_refreshes_itself_when_a_status_changes_and_its_buttons_work(world):
    request = world.ask_for_changes(world.new_request(GB_NUMBER), "quantity")
    world.driver.open_home(user=ALICE)
    assert "Update requested" in home(world, ALICE)
    seen = publishes(world, ALICE)

    world.driver.block_action("request_cancel", request.id, user=ALICE)  # from the Home tab
    refreshed = home(world, ALICE, after=seen)
    # "Canceled" alone is on the page already (the status filter's options): wait for the count.
    world.wait(lambda: "1 canceled" in block_text(world.slack.home_view(ALICE)), what="Home to count it canceled")
    assert world.sandbox_request(request)["status"] == "CANCELED"
    assert refreshed


def test_list_and_status_answer_ephemerally(world):
    request = world.ask_for_changes(world.new_request(GB_NUMBER), "quantity", "Say why.")
    other = world.new_request(GB_NUMBER)
    world.driver.slash_command("/resource", "list", user=ALICE, channel=CHANNEL)
    world.driver.slash_command("/resource", "list action", user=ALICE, channel=CHANNEL)
    world.driver.slash_command("/resource", f"status {request.id.lower()}", user=ALICE, channel=CHANNEL)
    world.driver.slash_command("/resource", "status RNOSUCH1", user=ALICE, channel=CHANNEL)
    everything, action, one, unknown = [block_text(m) for m in world.slack.ephemeral(CHANNEL, ALICE)[-4:]]
    assert request.id in everything and other.id in everything
    assert request.id in action and other.id not in action
    assert "Update requested" in one and request.id in one and "Open the request" in one
    assert "no request" in unknown


@pytest.mark.world(resourcebot_remind_after_hours=48, reminder_tick_seconds=0.1)
def test_a_reminder_after_the_idle_time_and_none_twice_in_a_day(world):
    request = world.ask_for_changes(world.new_request(GB_NUMBER), "quantity")
    replies = len(world.thread(world.request(request.id)))
    world.services.clock.advance(timedelta(hours=49))
    thread = world.wait_thread(request.id, replies + 1)
    assert f"<@{ALICE}>" in block_text(thread[-1]) and "27 days" in block_text(thread[-1])
    world.wait(
        lambda: [
            m for m in world.slack.messages(world.slack.dm_channel(ALICE)) if "waiting for your update" in block_text(m)
        ],
        what="a DM to the requester",
    )

    # Infobip's own reminder arrives the same day: recorded, not posted again.
    world.sandbox_admin.post("/clock/advance", json={"days": 3})
    drained = world.sandbox_admin.post("/webhooks/drain", json={"timeout": 10}).json()
    assert "RESOURCE_REQUEST_REMINDER" in str(drained["delivered"])
    world.wait_idle()
    assert len(world.thread(world.request(request.id))) == replies + 1
    another = {
        "results": [
            {
                "event": "RESOURCE_REQUEST_REMINDER",
                "content": {
                    "id": request.provider_request_id,
                    "status": "UPDATE_REQUESTED",
                    "type": "NUMBER_PURCHASE",
                    "daysUntilRejection": 26,
                },
            }
        ]
    }
    answer = world.post_webhook(another)
    assert answer.status_code == 200 and answer.json()["outcomes"] == ["reminder_held"]
    world.wait_idle()
    assert len(world.thread(world.request(request.id))) == replies + 1


@pytest.mark.world(resourcebot_reconcile_seconds=0.3)
def test_the_reconciler_shows_steps_infobip_does_not_notify_and_a_webhook_that_never_came(world):
    request = world.new_request(GB_NUMBER)
    world.reviewer(request, "advance")  # → PENDING_REVIEW: Infobip sends no webhook for it
    world.wait(lambda: world.request(request.id).status == "PENDING_REVIEW", what="the reconciler to see it")
    world.wait(lambda: "Waiting for review" in world.root_text(request), what="the root to show it")

    world.sandbox.config.webhook_url = "http://127.0.0.1:9/unreachable"  # the bot misses the next webhook
    world.reviewer(request, "advance")
    world.reviewer(request, "complete")
    world.wait(lambda: world.request(request.id).status == "COMPLETED", what="the reconciler to see COMPLETED")
    thread = world.wait_thread(request.id, 3)
    assert "Completed" in block_text(thread[-1]) and "key" in block_text(thread[-1])  # the procured number
    world.wait(lambda: "🟢 Completed" in world.root_text(request), what="the root to show Completed")


def test_everyones_list_is_for_admins_only(world):
    alices = world.new_request(GB_NUMBER)
    bobs = world.new_request(GB_NUMBER, user=BOB)
    world.driver.slash_command("/resource", "list all", user=BOB, channel=CHANNEL)
    world.driver.slash_command("/resource", "list all", user=ADMIN, channel=CHANNEL)
    bob_sees = block_text(world.slack.ephemeral(CHANNEL, BOB)[-1])
    admin_sees = block_text(world.slack.ephemeral(CHANNEL, ADMIN)[-1])
    assert "Your requests" in bob_sees and bobs.id in bob_sees and alices.id not in bob_sees
    assert "Everyone's requests" in admin_sees and alices.id in admin_sees and bobs.id in admin_sees
