"""The subscriptions part: security settings, profiles, subscriptions and certificates."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from tests.sandbox import FAST, checked_client

SUBSCRIPTIONS = "/subscriptions/1/subscription/REGISTRATION"
PROFILES = "/subscriptions/1/profiles"
SECURITY = "/subscriptions/1/security"
CERTIFICATES = "/subscriptions/1/certificates"
EVENTS = ["RESOURCE_REQUEST_STATUS_UPDATE", "RESOURCE_REQUEST_REMINDER"]


@pytest.fixture
def running(start_sandbox):
    return start_sandbox(rate_limit_speedup=FAST)


async def test_security_settings_crud(running, contract):
    async with checked_client(running, contract) as client:
        basic = {"authId": "bot-basic", "type": "BASIC", "credentials": {"username": "bot", "password": "s3cret"}}
        created = await client.post(SECURITY, json=basic)
        assert created.status_code == 201 and created.json() == {"authId": "bot-basic"}
        assert created.headers["location"].endswith("/subscriptions/1/security/bot-basic")
        assert (await client.post(SECURITY, json=basic)).status_code == 400
        assert (await client.get(f"{SECURITY}/bot-basic")).json() == basic

        hmac = {"type": "HMAC", "credentials": {"secretKey": "k3y", "algorithm": "HMAC_SHA_256"}}
        assert (await client.put(f"{SECURITY}/bot-basic", json=hmac)).json() == {"authId": "bot-basic"}
        listed = (await client.get(SECURITY, params={"size": 10})).json()
        assert listed["results"] == [{"authId": "bot-basic", **hmac}] and listed["paging"]["totalResults"] == 1

        assert (await client.delete(f"{SECURITY}/bot-basic")).json() == {"authId": "bot-basic"}
        assert (await client.get(f"{SECURITY}/bot-basic")).status_code == 404
    contract.assert_clean()


async def test_subscription_with_inline_profile_and_security(running, contract):
    async with checked_client(running, contract) as client:
        body = {
            "subscriptionId": "resourcebot",
            "name": "Resource requests",
            "events": EVENTS,
            "criteria": [{"applicationId": "default"}],
            "profile": {
                "profileId": "bot-profile",
                "webhook": {"notifyUrl": "https://bot.example.com/webhooks/infobip"},
                "security": {"authId": "bot-auth", "type": "BASIC", "credentials": {"username": "u", "password": "p"}},
            },
        }
        created = await client.post(SUBSCRIPTIONS, json=body)
        assert created.status_code == 201
        assert created.json() == {
            "subscriptionId": "resourcebot",
            "profile": {"profileId": "bot-profile", "security": {"authId": "bot-auth"}},
        }
        assert (await client.get(f"{SECURITY}/bot-auth")).status_code == 200

        got = (await client.get(f"{SUBSCRIPTIONS}/resourcebot")).json()
        assert got["events"] == EVENTS and got["name"] == "Resource requests"
        by_application = (await client.get(SUBSCRIPTIONS, params={"applicationId": "default"})).json()
        assert by_application["paging"]["totalResults"] == 1
        assert (await client.get(SUBSCRIPTIONS, params={"applicationId": "other"})).json()["results"] == []

        second = {
            "subscriptionId": "reminders",
            "events": ["RESOURCE_REQUEST_REMINDER"],
            "profile": {"profileId": "bot-profile"},
        }
        assert (await client.post(SUBSCRIPTIONS, json=second)).status_code == 201
        newest_first = (await client.get(SUBSCRIPTIONS)).json()["results"]
        assert [s["subscriptionId"] for s in newest_first] == ["reminders", "resourcebot"]
        no_profile = {"subscriptionId": "x", "events": EVENTS, "profile": {"profileId": "missing"}}
        assert (await client.post(SUBSCRIPTIONS, json=no_profile)).status_code == 404

        update = {"events": ["RESOURCE_REQUEST_STATUS_UPDATE"], "profile": {"profileId": "bot-profile"}}
        assert (await client.put(f"{SUBSCRIPTIONS}/reminders", json=update)).status_code == 200
        targets = running.sandbox.subscriptions.targets("REGISTRATION", "RESOURCE_REQUEST_STATUS_UPDATE")
        assert [t["url"] for t in targets] == ["https://bot.example.com/webhooks/infobip"] * 2
        assert targets[0]["security"]["type"] == "BASIC"

        profile = (await client.get(f"{PROFILES}/bot-profile")).json()
        assert profile["webhook"]["notifyUrl"].endswith("/webhooks/infobip")
        assert profile["security"] == {"authId": "bot-auth"}
        assert (await client.put(f"{PROFILES}/bot-profile", json={"readTimeout": 5000})).status_code == 200
        assert (await client.get(PROFILES)).json()["results"][0]["readTimeout"] == 5000
        assert (await client.delete(f"{PROFILES}/bot-profile")).status_code == 400  # still subscribed
        assert (await client.delete(f"{SECURITY}/bot-auth")).status_code == 400  # still in a profile

        for subscription_id in ("resourcebot", "reminders"):
            assert (await client.delete(f"{SUBSCRIPTIONS}/{subscription_id}")).status_code == 200
        assert (await client.get(f"{SUBSCRIPTIONS}/resourcebot")).status_code == 404
        assert (await client.delete(f"{PROFILES}/bot-profile")).json()["profileId"] == "bot-profile"
    contract.assert_clean()


async def test_certificates_and_connection_test(running, contract, webhook_receiver):
    content = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").decode()
    async with checked_client(running, contract) as client:
        uploaded = await client.post(CERTIFICATES, json={"certificateId": "bot-cert", "certificateContent": content})
        assert uploaded.status_code == 201 and uploaded.json() == {"certificateId": "bot-cert", "status": "PROCESSING"}
        running.sandbox.clock.advance(timedelta(seconds=2))
        assert (await client.get(f"{CERTIFICATES}/status/bot-cert")).json()["status"] == "READY"

        await client.post(CERTIFICATES, json={"certificateId": "other-cert", "certificateContent": content})
        found = (await client.get(CERTIFICATES, params={"search": "bot"})).json()
        assert [c["certificateId"] for c in found["results"]] == ["bot-cert"]
        assert found["results"][0]["validUntil"] > found["results"][0]["validFrom"]
        statuses = (await client.get(f"{CERTIFICATES}/status", params={"direction": "DESC"})).json()
        assert [c["certificateId"] for c in statuses["results"]] == ["other-cert", "bot-cert"]
        assert (await client.get(f"{CERTIFICATES}/bot-cert")).json()["certificateStatus"] == "READY"

        reached = (
            await client.post(
                f"{CERTIFICATES}/test/webhook", json={"certificateId": "bot-cert", "webhookUrl": webhook_receiver.url}
            )
        ).json()
        assert reached["result"] == "SUCCESS" and len(webhook_receiver.received) == 1
        closed_port = {"certificateId": "bot-cert", "webhookUrl": "http://127.0.0.1:9/"}
        unreachable = (await client.post(f"{CERTIFICATES}/test/webhook", json=closed_port)).json()
        assert unreachable["result"] == "FAIL" and unreachable["failReasons"]

        assert (await client.delete(f"{CERTIFICATES}/bot-cert")).json() == {"certificateId": "bot-cert"}
        assert (await client.get(f"{CERTIFICATES}/bot-cert")).status_code == 404
    contract.assert_clean()
