"""GET /metrics on the running bot: the counts move with the traffic it serves (webhooks by result,
provider calls, Slack's refusals), and the backlog is read from the database when scraped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.store.db import write
from bot.store.intents import claim
from tests.support.infobip_webhooks import status_webhook
from tests.support.names import ALICE, CHANNEL, CM_PROFILE

NUMBERS = [{"number": "447700900123", "numberKey": "8F0A1C2B3D4E5F60718293A4B5C6D7E8", "status": "SUCCESS"}]


class Scrape:
    def __init__(self, text: str):
        self.samples = [s for family in text_string_to_metric_families(text) for s in family.samples]

    def value(self, name: str, **labels: str) -> float:
        """The sum of `name`'s samples whose labels include `labels` (0 when there is none)."""
        return sum(
            s.value for s in self.samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
        )

    def labels(self, name: str) -> list[dict[str, str]]:
        return [s.labels for s in self.samples if s.name == name]


def scrape(world) -> Scrape:
    answer = httpx.get(world.bot_url + "/metrics", timeout=10)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return Scrape(answer.text)


def webhooks(scraped: Scrape, result: str) -> float:
    return scraped.value("resourcebot_webhooks_received_total", route="infobip", result=result)


def test_metrics_follow_webhooks_provider_calls_slack_errors_and_the_backlog(world):
    empty = scrape(world)
    assert empty.value("resourcebot_outbox_pending") == 0
    assert {tuple(sorted(labels.items())) for labels in empty.labels("resourcebot_intents_open")} == {
        (("state", "intended"),),
        (("state", "unknown"),),
    }

    # A Slack request: the form is built from Infobip's requirements, the request filed there.
    request = world.new_request("number GB VIRTUAL_LONG_NUMBER")
    world.wait_idle()
    world.sandbox_admin.post("/webhooks/drain", json={"timeout": 10})  # the sandbox's own webhooks are in
    before = scrape(world)
    calls = before.labels("resourcebot_provider_call_seconds_count")
    assert calls and all(c["provider"] == "infobip" and c["operation"] != "other" for c in calls), calls
    assert before.value("resourcebot_provider_call_seconds_count", provider="infobip", status="200") >= 2

    # Webhooks, one of each result; Slack refuses to post (429) until told otherwise.
    world.slack.set_fault(429, methods=["chat.postMessage", "chat.update"], retry_after=1)
    completed = status_webhook(
        request.provider_request_id, "COMPLETED", datetime.now(UTC) + timedelta(minutes=1), numbers=NUMBERS
    )
    assert world.post_webhook(completed).json()["outcomes"] == ["applied"]
    assert world.post_webhook(completed).json()["outcomes"] == ["duplicate"]
    assert world.post_webhook(completed, credentials=("someone", "wrong")).status_code == 401
    assert world.post_webhook(b"{not json").status_code == 400
    unknown = status_webhook("0b5e7c1a-0000-4000-8000-000000000000", "COMPLETED", datetime.now(UTC))
    assert world.post_webhook(unknown).json()["outcomes"] == ["unknown"]

    after = scrape(world)
    for result in ("accepted", "duplicate", "unauthorized", "refused", "unknown"):
        assert webhooks(after, result) == webhooks(before, result) + 1, result
    # The reply and root update wait in the outbox while Slack answers 429.
    assert after.value("resourcebot_outbox_pending") >= 1
    world.wait(
        lambda: scrape(world).value("resourcebot_slack_api_errors_total", error="ratelimited") >= 1,
        what="a 429 counted",
    )
    world.wait(
        lambda: scrape(world).value("resourcebot_outbox_oldest_pending_age_seconds") >= 1.0,
        what="the oldest pending delivery to be a second old",
    )

    world.slack.clear_faults()
    world.wait_idle(timeout=20)
    drained = scrape(world)
    assert drained.value("resourcebot_outbox_pending") == 0
    assert drained.value("resourcebot_outbox_oldest_pending_age_seconds") == 0
    assert drained.value("resourcebot_slack_api_errors_total", method="chat.postMessage", error="ratelimited") >= 1


def test_open_intents_are_counted_from_the_database_when_scraped(world):
    assert scrape(world).value("resourcebot_intents_open", state="intended") == 0
    with write(world.services.db):
        claim(
            world.services.db,
            key="metrics-test-click",
            action="number.purchase",
            target="+447700900999",
            actor="U0ALICE001",
            provider="infobip",
            params={},
            context={},
        )
    assert scrape(world).value("resourcebot_intents_open", state="intended") == 1


@pytest.mark.world(cm=True)
def test_cm_calls_and_callbacks_are_counted_too(world):
    world.driver.slash_command("/resource", "cm-number NL", user=ALICE, channel=CHANNEL)
    world.view(callback_id="cm_order")
    answer = world.driver.submit_view(
        {
            "companyProfileGuid": CM_PROFILE,
            "quantity": "2",
            "phoneNumberType": "LOCAL",
            "areaCode": "020",
            "city": "Amsterdam",
        },
        user=ALICE,
    )
    assert not answer.errors, answer.errors
    # CM.com calls back (the stand-in does, as CM.com would) and the bot reads the request back: in
    # stock, it was completed in the create answer already, so the callback tells nothing new.
    world.wait(
        lambda: scrape(world).value("resourcebot_webhooks_received_total", route="cm") >= 1,
        what="a CM.com callback counted",
    )
    assert scrape(world).value("resourcebot_webhooks_received_total", route="cm", result="duplicate") >= 1
    assert httpx.post(world.bot_url + "/webhooks/cm/not-a-token-we-gave", json={}, timeout=10).status_code == 404
    scraped = scrape(world)
    assert scraped.value("resourcebot_webhooks_received_total", route="cm", result="unknown") == 1
    operations = {
        c["operation"] for c in scraped.labels("resourcebot_provider_call_seconds_count") if c["provider"] == "cm"
    }
    assert {"create", "get"} <= operations and "other" not in operations, operations
