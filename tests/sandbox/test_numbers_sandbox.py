"""The numbers part: stock search, purchase, owned numbers, update, cancel, and procure()."""

from __future__ import annotations

import pytest

from tests.sandbox import FAST, admin_client, checked_client

AVAILABLE = "/numbers/1/numbers/available"
OWNED = "/numbers/1/numbers"


@pytest.fixture
def running(start_sandbox):
    return start_sandbox(rate_limit_speedup=FAST)


def _legacy_error(response) -> dict:
    return response.json()["requestError"]["serviceException"]


async def test_search_filters_and_pages_the_stock(running, contract):
    async with checked_client(running, contract) as client:
        both = (
            await client.get(AVAILABLE, params={"country": "GB", "capabilities": ["SMS", "VOICE"], "limit": 100})
        ).json()
        assert both["numberCount"] == len(both["numbers"]) > 0
        assert all(n["country"] == "GB" and {"SMS", "VOICE"} <= set(n["capabilities"]) for n in both["numbers"])
        price = both["numbers"][0]["price"]
        assert set(price) == {"pricePerMonth", "setupPrice", "initialMonthPrice", "currency"}

        first = (await client.get(AVAILABLE, params={"country": "GB", "limit": 2, "page": 0})).json()
        second = (await client.get(AVAILABLE, params={"country": "GB", "limit": 2, "page": 1})).json()
        assert len(first["numbers"]) == len(second["numbers"]) == 2
        assert first["numberCount"] == second["numberCount"] > 4
        assert {n["numberKey"] for n in first["numbers"]}.isdisjoint(n["numberKey"] for n in second["numbers"])

        new_york = (await client.get(AVAILABLE, params={"country": "US", "state": "NY", "npa": 212})).json()
        assert new_york["numbers"] and all(n["number"].startswith("1212") for n in new_york["numbers"])
        nxx = int(new_york["numbers"][0]["number"][4:7])
        exact = (await client.get(AVAILABLE, params={"npa": 212, "nxx": nxx})).json()
        assert new_york["numbers"][0]["numberKey"] in {n["numberKey"] for n in exact["numbers"]}

        fragment = both["numbers"][0]["number"][-6:]
        found = (await client.get(AVAILABLE, params={"number": fragment})).json()
        assert all(fragment in n["number"] for n in found["numbers"]) and found["numberCount"] >= 1

        nothing = (await client.get(AVAILABLE, params={"country": "ZZ"})).json()
        assert nothing == {"numbers": [], "numberCount": 0}
    contract.assert_clean()


async def test_purchase_then_cancel_puts_the_number_back(running, contract):
    async with checked_client(running, contract) as client:
        offer = (await client.get(AVAILABLE, params={"country": "HR", "limit": 1})).json()["numbers"][0]
        key = offer["numberKey"]

        bought = await client.post(OWNED, json={"numberKey": key})
        assert bought.status_code == 200
        assert bought.json()["number"] == offer["number"] and bought.json()["applicationId"] == "default"
        stock = (await client.get(AVAILABLE, params={"number": offer["number"]})).json()
        assert stock["numberCount"] == 0

        owned = (await client.get(OWNED)).json()
        assert [n["numberKey"] for n in owned["numbers"]] == [key] and owned["numberCount"] == 1
        assert (await client.get(f"{OWNED}/{key}")).json()["number"] == offer["number"]
        again = await client.post(OWNED, json={"numberKey": key})
        assert again.status_code == 404

        assert (await client.delete(f"{OWNED}/{key}")).status_code == 204
        gone = await client.get(f"{OWNED}/{key}")
        assert gone.status_code == 404 and _legacy_error(gone)["messageId"] == "NOT_FOUND"
        stock = (await client.get(AVAILABLE, params={"number": offer["number"]})).json()
        assert [n["numberKey"] for n in stock["numbers"]] == [key]
    contract.assert_clean()


async def test_owned_numbers_keep_the_prices_they_were_offered_at(running, contract):
    """As the contract's owned-number answers show them: the monthly and setup fees and the
    currency; the prorated first month is only on an offer (it is behind an owned number)."""
    async with checked_client(running, contract) as client:
        offers = (await client.get(AVAILABLE, params={"limit": 1000})).json()["numbers"]
        chosen = {}
        for offer in offers:  # one of each price list: country and kind
            chosen.setdefault((offer["country"], offer["type"], offer["price"]["pricePerMonth"]), offer)
        for offer in chosen.values():
            if offer["country"] == "US":
                bought = await client.post(OWNED, json={"number": offer["number"]})
            else:
                bought = await client.post(OWNED, json={"numberKey": offer["numberKey"]})
            assert bought.status_code == 200, bought.text
            expected = {k: offer["price"][k] for k in ("pricePerMonth", "setupPrice", "currency")}
            assert bought.json()["price"] == expected
            assert 0 < offer["price"]["initialMonthPrice"] <= offer["price"]["pricePerMonth"]
            assert (await client.get(f"{OWNED}/{offer['numberKey']}")).json()["price"] == expected
            updated = await client.put(f"{OWNED}/{offer['numberKey']}", json={"applicationId": "default"})
            assert updated.json()["price"] == expected
        listed = (await client.get(OWNED, params={"limit": 100})).json()
        assert listed["numberCount"] == len(chosen) >= 8
        prices = {n["numberKey"]: n["price"] for n in listed["numbers"]}
        assert all(set(price) == {"pricePerMonth", "setupPrice", "currency"} for price in prices.values())
        assert all(price["currency"] == "EUR" and price["pricePerMonth"] > 0 for price in prices.values())
    contract.assert_clean()


async def test_unknown_number_key_is_a_legacy_404(running, contract):
    async with checked_client(running, contract) as client:
        for response in (
            await client.get(f"{OWNED}/NOPE"),
            await client.put(f"{OWNED}/NOPE", json={"applicationId": "default"}),
            await client.delete(f"{OWNED}/NOPE"),
        ):
            assert response.status_code == 404
            assert _legacy_error(response) == {"messageId": "NOT_FOUND", "text": "Number not found."}
    contract.assert_clean()


async def test_us_numbers_are_bought_by_number(running, contract):
    async with checked_client(running, contract) as client:
        offers = (await client.get(AVAILABLE, params={"country": "US", "state": "CA", "limit": 2})).json()["numbers"]
        by_key = await client.post(OWNED, json={"numberKey": offers[0]["numberKey"]})
        assert by_key.status_code == 400 and "number" in _legacy_error(by_key)["validationErrors"]

        bought = await client.post(OWNED, json={"number": offers[1]["number"]})
        assert bought.status_code == 200 and bought.json()["numberKey"] == offers[1]["numberKey"]
    contract.assert_clean()


async def test_update_sets_application_and_entity(running, contract):
    async with checked_client(running, contract) as client:
        assert (await client.post("/provisioning/1/applications", json={"applicationId": "shop"})).status_code == 201
        assert (await client.post("/provisioning/1/entities", json={"entityId": "acme"})).status_code == 201
        key = (await client.get(AVAILABLE, params={"country": "DE", "limit": 1})).json()["numbers"][0]["numberKey"]
        await client.post(OWNED, json={"numberKey": key, "applicationId": "shop"})

        updated = await client.put(f"{OWNED}/{key}", json={"applicationId": "shop", "entityId": "acme"})
        assert updated.status_code == 200
        assert (updated.json()["applicationId"], updated.json()["entityId"]) == ("shop", "acme")
        cleared = (await client.put(f"{OWNED}/{key}", json={"applicationId": "default"})).json()
        assert cleared["applicationId"] == "default" and "entityId" not in cleared

        unknown = await client.put(f"{OWNED}/{key}", json={"applicationId": "nobody"})
        assert unknown.status_code == 400 and "applicationId" in _legacy_error(unknown)["validationErrors"]
    contract.assert_clean()


async def test_procure_returns_fewer_numbers_when_stock_is_short(running):
    numbers = running.sandbox.numbers
    short_codes = numbers.procure("GB", "SHORT_CODE", ["SMS"], 5, application_id="default")
    assert len(short_codes) == 2 and all(set(n) == {"number", "numberKey"} for n in short_codes)
    assert all(numbers.owned_number(n["numberKey"]) for n in short_codes)
    assert numbers.procure("GB", "SHORT_CODE", ["SMS"], 1) == []

    # In the US a virtual long number is a 10-digit long code; toll-free is its own stock.
    long_codes = numbers.procure("US", "VIRTUAL_LONG_NUMBER", ["SMS", "MMS"], 3)
    toll_free = numbers.procure("us", "TOLL_FREE_NUMBER", ["SMS"], 2)
    assert len(long_codes) == 3 and len(toll_free) == 2
    assert all(n["number"][1:4] in {"800", "833", "844", "855", "866", "877", "888"} for n in toll_free)
    assert numbers.procure("GB", "TOLL_FREE_NUMBER", ["SMS"], 1) == []  # UK freephone: voice only

    async with admin_client(running) as admin:
        owned = (await admin.get("/numbers/owned")).json()
        assert owned["numberCount"] == 7
        assert (await admin.post("/numbers/reset")).status_code == 204
        assert (await admin.get("/numbers/owned")).json()["numberCount"] == 0
    assert len(numbers.procure("GB", "SHORT_CODE", ["SMS"], 5)) == 2  # the same stock again


async def test_procure_honours_a_10dlc_requests_state_and_area_code(running):
    numbers = running.sandbox.numbers
    indiana = numbers.procure("US", "TEN_DIGIT_LONG_CODE", ["SMS"], 2, location={"state": "IN", "npa": "317"})
    assert len(indiana) == 2 and all(n["number"].startswith("1317") for n in indiana)
    assert numbers.procure("US", "TEN_DIGIT_LONG_CODE", ["SMS"], 1, location={"state": "IN", "npa": "212"}) == []
