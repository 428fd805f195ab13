"""The Slack side of the bot: request verification, the command's usage answers, escaping of
what people type, and the App Home."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import httpx

from tests.support.names import ALICE, BOB, CHANNEL

FORM = "application/x-www-form-urlencoded"


def command_body(world, text: str) -> bytes:
    config = world.slack.config
    return urlencode(
        {
            "token": "standinVerificationToken0",
            "team_id": config.team_id,
            "team_domain": config.team_domain,
            "channel_id": CHANNEL,
            "channel_name": "resources",
            "user_id": ALICE,
            "user_name": "alice",
            "command": "/resource",
            "text": text,
            "api_app_id": config.app_id,
            "response_url": world.slack.new_response_url("commands", CHANNEL, ALICE),
            "trigger_id": world.slack.issue_trigger(ALICE),
        }
    ).encode()


def test_unsigned_badly_signed_and_stale_requests_are_refused(world):
    events_url = world.bot_url + "/slack/events"
    body = command_body(world, "sender HR")
    unsigned = httpx.post(events_url, content=body, headers={"Content-Type": FORM})
    assert unsigned.status_code == 401
    forged = world.driver.post(body, FORM, signature="v0=" + "0" * 64)
    assert forged.status == 401
    six_minutes_ago = int(time.time()) - 6 * 60
    stale = world.driver.post(body, FORM, timestamp=six_minutes_ago)  # signed right, but too old
    assert stale.status == 401
    # The same body, signed now, is taken: the refusals were about the signature alone.
    fresh = world.driver.post(body, FORM)
    assert fresh.status == 200
    world.view(callback_id="request_form")
    assert len(world.slack.calls("views.open")) == 1


def test_help_and_unknown_text_get_an_ephemeral_usage_never_silence(world):
    for text, expected in (
        ("help", None),
        ("frobnicate HR", "I don't know “frobnicate”"),
        ("number US 99", "Quantity must be between 1 and 49"),
        ("sender", "Which country?"),
    ):
        answer = world.driver.slash_command("/resource", text, user=ALICE, channel=CHANNEL)
        assert answer.status == 200 and answer.in_time
        assert answer.json["response_type"] == "ephemeral"
        shown = world.slack.ephemeral(CHANNEL, ALICE)[-1]["text"]
        assert "`/resource sender <country>" in shown, text
        if expected:
            assert expected in shown
    assert len(world.slack.ephemeral(CHANNEL, ALICE)) == 4
    assert world.slack.calls("views.open") == [] and world.slack.messages(CHANNEL) == []


def test_mentions_typed_into_a_field_are_shown_escaped_and_ping_no_one(world):
    typed = "<!channel> & <@U0BOB00001> Ltd"
    request = world.new_request(
        "number HR VIRTUAL_LONG_NUMBER", {"companyName": typed, "companyWebsite": "https://acme.hr"}
    )
    assert {r["key"]: r["value"] for r in world.sandbox_request(request)["requirements"]}["companyName"] == typed
    root = world.slack.root(request.channel, request.thread_ts)
    shown = str(root["blocks"]) + root["text"]
    assert "&lt;!channel&gt; &amp; &lt;@U0BOB00001&gt; Ltd" in shown
    assert "<!channel>" not in shown and "<@U0BOB00001>" not in shown


def test_app_home_lists_the_users_requests_with_status_badges(world):
    done = world.new_request("number GB VIRTUAL_LONG_NUMBER")
    world.reviewer(done, "complete")
    waiting = world.new_request("number GB VIRTUAL_LONG_NUMBER 2")
    world.ask_for_changes(waiting, "quantity")
    someone_elses = world.new_request("number GB VIRTUAL_LONG_NUMBER", user=BOB)
    world.wait_idle()

    before = len(world.slack.calls("views.publish"))
    answer = world.driver.open_home(user=ALICE)
    assert answer.status == 200
    published = world.wait(lambda: world.slack.calls("views.publish")[before:], what="views.publish")[-1]
    assert published.ok and published.args["user_id"] == ALICE
    home = str(world.slack.home_view(ALICE)["blocks"])
    assert "My requests" in home
    assert done.id in home and "🟢 Completed" in home
    assert waiting.id in home and "🔴 Update requested" in home and "request_update" in home
    assert someone_elses.id not in home
    assert home.index(waiting.id) < home.index(done.id)  # action required first
