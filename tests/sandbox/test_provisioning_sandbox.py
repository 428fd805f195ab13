"""The provisioning part: applications, entities, resource associations and their resets."""

from __future__ import annotations

import pytest

from tests.sandbox import FAST, checked_client

APPS = "/provisioning/1/applications"
ENTITIES = "/provisioning/1/entities"
ASSOCIATIONS = "/provisioning/1/associations"


@pytest.fixture
def running(start_sandbox):
    return start_sandbox(rate_limit_speedup=FAST)


def _legacy_error(response) -> dict:
    return response.json()["requestError"]["serviceException"]


async def _buy(client, country: str = "GB", capabilities=("SMS",), **links) -> str:
    offer = (
        await client.get(
            "/numbers/1/numbers/available", params={"country": country, "capabilities": list(capabilities), "limit": 1}
        )
    ).json()
    key = offer["numbers"][0]["numberKey"]
    assert (await client.post("/numbers/1/numbers", json={"numberKey": key, **links})).status_code == 200
    return key


def _association(key: str, application: str = "shop", entity: str = "acme", **fields) -> dict:
    return {
        "resourceType": "NUMBER",
        "resourceId": key,
        "channel": "SMS",
        "applicationId": application,
        "entityId": entity,
        **fields,
    }


async def test_applications_crud_and_paging(running, contract):
    async with checked_client(running, contract) as client:
        start = (await client.get(APPS)).json()
        assert start["results"] == [{"applicationId": "default", "applicationName": "Default application"}]
        for name in ("alpha", "beta", "gamma"):
            created = await client.post(APPS, json={"applicationId": name, "applicationName": name.title()})
            assert created.status_code == 201
        duplicate = await client.post(APPS, json={"applicationId": "beta"})
        assert duplicate.status_code == 409 and _legacy_error(duplicate)["messageId"] == "CONFLICT"

        first = (await client.get(APPS, params={"page": 0, "size": 3})).json()
        second = (await client.get(APPS, params={"page": 1, "size": 3})).json()
        assert first["paging"] == {"page": 0, "size": 3, "totalPages": 2, "totalResults": 4}
        ids = [a["applicationId"] for a in first["results"] + second["results"]]
        assert ids == ["alpha", "beta", "default", "gamma"]

        assert (await client.put(f"{APPS}/beta", json={"applicationName": "Beta 2"})).status_code == 204
        assert (await client.get(f"{APPS}/beta")).json() == {"applicationId": "beta", "applicationName": "Beta 2"}
        assert (await client.delete(f"{APPS}/beta")).status_code == 200
        missing = await client.get(f"{APPS}/beta")
        assert missing.status_code == 404 and _legacy_error(missing)["messageId"] == "NOT_FOUND"
        assert (await client.delete(f"{APPS}/default")).status_code == 400
    contract.assert_clean()


async def test_entities_crud(running, contract):
    async with checked_client(running, contract) as client:
        assert (await client.get(ENTITIES)).json()["paging"]["totalResults"] == 0
        assert (await client.post(ENTITIES, json={"entityId": "acme", "entityName": "Acme"})).status_code == 201
        assert (await client.post(ENTITIES, json={"entityId": "acme"})).status_code == 409
        assert (await client.put(f"{ENTITIES}/acme", json={"entityName": "Acme Ltd"})).status_code == 204
        assert (await client.get(f"{ENTITIES}/acme")).json() == {"entityId": "acme", "entityName": "Acme Ltd"}
        assert (await client.delete(f"{ENTITIES}/acme")).status_code == 200
        assert (await client.delete(f"{ENTITIES}/acme")).status_code == 404
        assert (await client.put(f"{ENTITIES}/acme", json={"entityName": "x"})).status_code == 404
    contract.assert_clean()


async def test_associations_create_list_single_delete(running, contract):
    async with checked_client(running, contract) as client:
        await client.post(APPS, json={"applicationId": "shop"})
        await client.post(ENTITIES, json={"entityId": "acme"})
        key = await _buy(client)

        assert (await client.post(ASSOCIATIONS, json=_association(key))).status_code == 201
        assert (await client.post(ASSOCIATIONS, json=_association(key))).status_code == 409
        unknown_app = await client.post(ASSOCIATIONS, json=_association(key, application="nobody"))
        assert unknown_app.status_code == 404 and _legacy_error(unknown_app)["messageId"] == "NOT_FOUND"
        assert (await client.post(ASSOCIATIONS, json=_association("NOT-OWNED"))).status_code == 404
        wrong_channel = await client.post(ASSOCIATIONS, json=_association(key, channel="EMAIL"))
        assert wrong_channel.status_code == 400 and "channel" in _legacy_error(wrong_channel)["validationErrors"]
        no_mms = await client.post(ASSOCIATIONS, json=_association(key, channel="MMS"))  # GB numbers: no MMS
        assert no_mms.status_code == 400
        domain = {
            "resourceType": "DOMAIN",
            "resourceId": "mail.example.com",
            "channel": "EMAIL",
            "applicationId": "shop",
            "entityId": "acme",
        }
        assert (await client.post(ASSOCIATIONS, json=domain)).status_code == 201

        everything = (await client.get(ASSOCIATIONS)).json()
        assert everything["paging"]["totalResults"] == 2
        numbers = (await client.get(ASSOCIATIONS, params={"resourceType": "NUMBER", "applicationId": "shop"})).json()
        assert numbers["results"] == [_association(key)]
        paged = (await client.get(ASSOCIATIONS, params={"size": 1, "page": 1})).json()
        assert paged["results"] == [domain] and paged["paging"]["totalPages"] == 2
        assert (await client.get(ASSOCIATIONS, params={"channel": "MMS"})).json()["results"] == []

        single = await client.get(f"{ASSOCIATIONS}/single", params=_association(key))
        assert single.status_code == 200 and single.json() == _association(key)
        other_entity = await client.get(f"{ASSOCIATIONS}/single", params=_association(key, entity="other"))
        assert other_entity.status_code == 404

        assert (await client.request("DELETE", ASSOCIATIONS, json=_association(key))).status_code == 204
        assert (await client.request("DELETE", ASSOCIATIONS, json=_association(key))).status_code == 404
        assert (await client.get(f"{ASSOCIATIONS}/single", params=_association(key))).status_code == 404
    contract.assert_clean()


async def test_deleting_an_application_or_entity_hands_resources_to_default(running, contract):
    async with checked_client(running, contract) as client:
        await client.post(APPS, json={"applicationId": "shop"})
        await client.post(ENTITIES, json={"entityId": "acme"})
        await client.post(ENTITIES, json={"entityId": "globex"})
        shop_key = await _buy(client, applicationId="shop", entityId="acme")
        globex_key = await _buy(client, country="SE")
        await client.put(f"/numbers/1/numbers/{globex_key}", json={"applicationId": "shop", "entityId": "globex"})
        await client.post(ASSOCIATIONS, json=_association(shop_key))
        await client.post(ASSOCIATIONS, json=_association(globex_key, entity="globex"))

        assert (await client.delete(f"{ENTITIES}/globex")).status_code == 200
        number = (await client.get(f"/numbers/1/numbers/{globex_key}")).json()
        assert number["applicationId"] == "default" and "entityId" not in number
        reset = {"resourceType": "NUMBER", "resourceId": globex_key, "channel": "SMS", "applicationId": "default"}
        assert (await client.get(f"{ASSOCIATIONS}/single", params=reset)).json() == reset

        assert (await client.delete(f"{APPS}/shop")).status_code == 200
        number = (await client.get(f"/numbers/1/numbers/{shop_key}")).json()
        assert number["applicationId"] == "default" and "entityId" not in number
        defaults = (await client.get(ASSOCIATIONS, params={"applicationId": "default"})).json()
        assert {a["resourceId"] for a in defaults["results"]} == {shop_key, globex_key}
        assert all("entityId" not in a for a in defaults["results"])
        assert (await client.get(ASSOCIATIONS, params={"applicationId": "shop"})).json()["results"] == []
    contract.assert_clean()
