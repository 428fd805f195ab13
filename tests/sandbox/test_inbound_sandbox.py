"""The inbound part: keyword configurations per number, and which level routes a message."""

from __future__ import annotations

import pytest

from tests.sandbox import FAST, admin_client, checked_client

CONFIGS = "/resource-management/1/inbound-message-configurations"


@pytest.fixture
def running(start_sandbox):
    return start_sandbox(rate_limit_speedup=FAST)


async def _buy(client) -> dict:
    offer = (await client.get("/numbers/1/numbers/available", params={"country": "GB", "limit": 1})).json()
    key = offer["numbers"][0]["numberKey"]
    return (await client.post("/numbers/1/numbers", json={"numberKey": key})).json()


async def test_configurations_create_update_list_delete(running, contract):
    async with checked_client(running, contract) as client:
        number = await _buy(client)
        key = number["numberKey"]
        stop = {
            "channel": "SMS",
            "numberKey": key,
            "keyword": "STOP",
            "forwarding": {"type": "HTTP_FORWARD", "url": "https://example.com/mo"},
        }
        created = await client.post(CONFIGS, json=stop)
        assert created.status_code == 200
        config_key = created.json()["configurationKey"]
        assert created.json()["keyword"] == "STOP" and created.json()["forwarding"]["type"] == "HTTP_FORWARD"

        # Same number and keyword: the configuration is updated, not duplicated.
        updated = await client.post(
            CONFIGS,
            json={
                "channel": "SMS",
                "number": number["number"],
                "keyword": "stop",
                "platform": {"applicationId": "default"},
                "unset": ["FORWARDING"],
            },
        )
        assert updated.json()["configurationKey"] == config_key
        assert updated.json()["platform"] == {"applicationId": "default"} and "forwarding" not in updated.json()
        catch_all = (await client.post(CONFIGS, json={"channel": "SMS", "numberKey": key})).json()
        assert catch_all["configurationKey"] != config_key and "keyword" not in catch_all

        listed = (await client.get(CONFIGS, params={"channel": "SMS", "numberKey": key})).json()
        assert {c["configurationKey"] for c in listed} == {config_key, catch_all["configurationKey"]}
        by_keyword = (
            await client.get(CONFIGS, params={"channel": "SMS", "number": number["number"], "keyword": "STOP"})
        ).json()
        assert [c["configurationKey"] for c in by_keyword] == [config_key]
        assert (await client.get(CONFIGS, params={"channel": "MMS", "numberKey": key})).json() == []
        assert (await client.get(CONFIGS, params={"channel": "SMS", "numberKey": "NOT-OWNED"})).status_code == 404
        assert (await client.get(f"/numbers/1/numbers/{key}")).json()["keywords"] == ["STOP"]

        assert (await client.delete(f"{CONFIGS}/{config_key}")).status_code == 204
        assert (await client.delete(f"{CONFIGS}/{config_key}")).status_code == 404
        remaining = await client.get(
            CONFIGS, params={"channel": "SMS", "configurationKey": catch_all["configurationKey"]}
        )
        assert len(remaining.json()) == 1
        unknown_number = await client.post(CONFIGS, json={"channel": "SMS", "numberKey": "NOT-OWNED", "keyword": "X"})
        assert unknown_number.status_code == 404

        # Cancelling the number takes its configurations with it.
        await client.delete(f"/numbers/1/numbers/{key}")
        assert running.sandbox.inbound.configurations == {}
    contract.assert_clean()


async def test_configuration_level_routing_wins_over_number_level(running, contract):
    async with checked_client(running, contract) as client:
        await client.post("/provisioning/1/applications", json={"applicationId": "support"})
        await client.post("/provisioning/1/applications", json={"applicationId": "marketing"})
        await client.post("/provisioning/1/entities", json={"entityId": "summer"})
        key = (await _buy(client))["numberKey"]
        await client.put(f"/numbers/1/numbers/{key}", json={"applicationId": "support"})
        await client.post(
            CONFIGS,
            json={
                "channel": "SMS",
                "numberKey": key,
                "keyword": "JOIN",
                "platform": {"applicationId": "marketing", "entityId": "summer"},
            },
        )
    contract.assert_clean()

    async with admin_client(running) as admin:
        keyword = (await admin.get("/inbound/route", params={"numberKey": key, "text": "join the club"})).json()
        assert keyword["source"] == "configuration"
        assert (keyword["applicationId"], keyword["entityId"]) == ("marketing", "summer")
        other = (await admin.get("/inbound/route", params={"numberKey": key, "text": "hello"})).json()
        assert other == {"applicationId": "support", "source": "number"}
