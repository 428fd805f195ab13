"""Every InfobipClient operation against the running sandbox, every exchange checked against the contract.

The client talks to a real sandbox on loopback with the contract recorder on its response hook:
each request the client sends and each response the sandbox returns (errors included, in both
the new and the legacy shape) is validated with openapi-core against Infobip's OpenAPI document.
Reviewer actions go through the sandbox's /_sandbox admin routes on a plain, unchecked client.

One test per area; each area is a scenario function, so that the last test can run them all on
one recorder and prove that together they exercise every operation of the contract.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from bot.providers.infobip import (
    AlphaRegistrationSubmit,
    AlphaRequirementsQuery,
    FilledRequirement,
    InfobipAPIError,
    InfobipClient,
    InfobipNotFound,
    NumberPurchaseSubmit,
    NumberRequirementsQuery,
    Pacer,
    RcsRequirementsQuery,
    RcsSenderLaunchSubmit,
    ResourceRequestStatus,
    ResourceRequestType,
    iterate_numbers,
    iterate_pages,
)
from bot.providers.infobip.models import (
    Application,
    ApplicationUpdate,
    AssociationChannel,
    AssociationResourceType,
    AvailableNumbersQuery,
    CertificatesQuery,
    CertificateUpload,
    ConnectionTestRequest,
    CoverageQuery,
    Entity,
    EntityUpdate,
    IbResourceType,
    InboundChannel,
    InboundConfigurationRequest,
    NumberPurchase,
    NumberUpdate,
    OwnedNumbersQuery,
    ProfileId,
    ProfileRequest,
    ProfileUpdate,
    RequirementType,
    ResourceAssociationRequest,
    ResourceNumberCapability,
    ResourceNumberType,
    ResourcesFilter,
    SecurityRef,
    SecuritySettings,
    SecuritySettingsUpdate,
    SubscriptionRequest,
    SubscriptionUpdate,
    TrafficOrigin,
    TrafficType,
    WebhookTarget,
)
from bot.providers.infobip.operations import OPERATIONS, match_operation
from bot.sandbox.infobip import InfobipSandbox
from tests.support.contract import ContractRecorder
from tests.support.infobip_bodies import hr_alpha

# Limits stay on, 1000x faster than Infobip's (provisioning's 1/s becomes 1/ms); the client paces to match.
FAST = 1000.0
PDF = b"%PDF-1.4 registration extract"
EVENTS = ["RESOURCE_REQUEST_STATUS_UPDATE", "RESOURCE_REQUEST_REMINDER"]


@dataclass
class Env:
    client: InfobipClient  # contract-checked
    admin: httpx.AsyncClient  # /_sandbox reviewer routes: not Infobip's, not checked
    sandbox: InfobipSandbox
    webhook_url: str

    async def reviewer(self, request_id: str, action: str, **body: Any) -> dict:
        response = await self.admin.post(f"/resource-requests/{request_id}/{action}", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def request_changes(self, request_id: str, *, internal: bool = False) -> None:
        feedback = [{"key": "companyName", "code": "RES_REQ_FEED_FORMAT", "feedback": "Use the legal name."}]
        await self.reviewer(request_id, "request-changes", feedback=feedback, internal=internal)

    async def submit_hr_alpha(self, sender: str) -> str:
        document_id = await self.client.upload_document("registration.pdf", PDF)
        body = AlphaRegistrationSubmit.model_validate(hr_alpha(document_id, sender))
        return await self.client.submit_resource_request(body)

    async def buy(self, country: str = "GB", **body: Any) -> str:
        offer = (await self.client.get_available_numbers(AvailableNumbersQuery(country=country, limit=1))).numbers[0]
        bought = await self.client.purchase_number(NumberPurchase(numberKey=offer.number_key, **body))
        assert bought.number_key == offer.number_key
        return offer.number_key


async def raises(
    call: Awaitable[Any], status: int, code: str | None, kind: type[InfobipAPIError] = InfobipAPIError
) -> InfobipAPIError:
    """The API error `call` raises, checked for its status and code."""
    with pytest.raises(kind) as caught:
        await call
    error = caught.value
    assert (error.status, error.error_code) == (status, code), str(error)
    assert error.operation_id in OPERATIONS
    return error


@asynccontextmanager
async def open_env(
    start_sandbox: Callable[..., Any], recorder: ContractRecorder, webhook_url: str
) -> AsyncIterator[Env]:
    running = start_sandbox(rate_limit_speedup=FAST)
    async with (
        InfobipClient(
            running.url,
            running.api_key,
            event_hooks={"response": [recorder.hook]},
            pacer=Pacer(speedup=FAST),
            timeout=10.0,
        ) as client,
        httpx.AsyncClient(base_url=running.url + "/_sandbox", headers=running.auth, timeout=10.0) as admin,
    ):
        yield Env(client, admin, running.sandbox, webhook_url)


# ---- Scenarios ---------------------------------------------------------------------------------


async def lookups(env: Env) -> None:
    client = env.client
    hr = await client.lookup_requirements(
        AlphaRequirementsQuery(
            country_code="HR", traffic_origin=TrafficOrigin.LOCAL, traffic_type=TrafficType.TRANSACTIONAL
        )
    )
    assert {r.type for r in hr} == set(RequirementType)
    template = next(r.attachment for r in hr if r.attachment)
    form = await client.download_document(template.document_id)
    assert form.content.startswith(b"%PDF") and form.content_type == "application/pdf"

    ten_dlc = await client.lookup_requirements(
        NumberRequirementsQuery(
            country_code="US",
            number_type=ResourceNumberType.TEN_DIGIT_LONG_CODE,
            capabilities=[ResourceNumberCapability.SMS],
            quantity=2,
        )
    )
    assert [r.key for r in ten_dlc] == ["state", "npa", "nxx"] and not any(r.required for r in ten_dlc)
    toll_free = await client.lookup_requirements(
        NumberRequirementsQuery(
            country_code="US",
            number_type=ResourceNumberType.TOLL_FREE_NUMBER,
            capabilities=[ResourceNumberCapability.SMS],
        )
    )
    assert toll_free == []

    gb_alpha = await raises(
        client.lookup_requirements(AlphaRequirementsQuery(country_code="GB")),
        404,
        "RR-ALPHA-UNAVAILABLE404",
        InfobipNotFound,
    )
    assert gb_alpha.description and gb_alpha.action
    us_vln = NumberRequirementsQuery(
        country_code="US",
        number_type=ResourceNumberType.VIRTUAL_LONG_NUMBER,
        capabilities=[ResourceNumberCapability.SMS],
    )
    await raises(client.lookup_requirements(us_vln), 400, "RR-NUMBER-PURCHASE-US-VLN-UNSUPPORTED400")


async def documents(env: Env) -> None:
    client = env.client
    document_id = await client.upload_document("Registration.PDF", PDF)
    downloaded = await client.download_document(document_id)
    assert (downloaded.content, downloaded.content_type, downloaded.filename) == (
        PDF,
        "application/pdf",
        "Registration.PDF",
    )
    await client.delete_document(document_id)
    await raises(client.download_document(document_id), 404, "RR-DOC404", InfobipNotFound)
    await raises(client.delete_document(document_id), 404, "RR-DOC404", InfobipNotFound)
    with pytest.raises(ValueError, match="allowed document types"):
        await client.upload_document("setup.exe", b"MZ")  # refused before anything is sent


async def rcs_launches(env: Env) -> None:
    """RcsRequirementsQuery and RcsSenderLaunchSubmit as the contract has them, and an RCS
    request read back with its own field names (`additionalContactEmails`, `excludedCarriers`)."""
    client = env.client
    se = await client.lookup_requirements(RcsRequirementsQuery(country_code="SE", traffic_origin=TrafficOrigin.LOCAL))
    assert "companyPhoneNumber" in [r.key for r in se]
    await raises(
        client.lookup_requirements(RcsRequirementsQuery(country_code="GB", traffic_origin=TrafficOrigin.LOCAL)),
        400,
        "RR-RCS-SENDER-COUNTRY-UNSUPPORTED400",
    )
    letter = await client.upload_document("attestation.pdf", PDF)
    values = {
        "legalBrandCompanyName": "Shop AB",
        "contactPersonEmailAddresses": ["anna.berg@shop.example"],
        "contactPersonPhoneNumber": "+46701234567",
        "companyPhoneNumber": "+46812345678",
        "attestationLetter": letter,
        "stopMessage": "STOP",
    }

    def launch(**fields: Any) -> RcsSenderLaunchSubmit:
        return RcsSenderLaunchSubmit(
            sender_name="Shop Sverige Kundservice",
            country_code="SE",
            traffic_origin=TrafficOrigin.LOCAL,
            requirements=[FilledRequirement(key=k, value=v) for k, v in values.items()],
            additional_contact_emails=["ops@shop.example"],
            **fields,
        )

    await raises(
        client.submit_resource_request(launch(excluded_carriers=["Vodafone UK"])),
        400,
        "RR-RCS-SENDER-INVALID-CARRIERS400",
    )
    request_id = await client.submit_resource_request(launch(excluded_carriers=["Tele2"]))
    read = await client.get_resource_request(request_id)
    assert read.type == ResourceRequestType.RCS_SENDER_LAUNCH and read.status == ResourceRequestStatus.PENDING
    assert (read.sender_name, read.traffic_origin, read.excluded_carriers) == (
        "Shop Sverige Kundservice",
        TrafficOrigin.LOCAL,
        ["Tele2"],
    )
    assert read.additional_contact_emails == ["ops@shop.example"]
    await raises(
        client.submit_resource_request(launch()),
        400,
        "RR-RCS-SENDER-ALREADY-REQUESTED400",
    )


async def resource_requests(env: Env) -> None:
    client = env.client
    first = await env.submit_hr_alpha("InfobipHR")
    second = await env.submit_hr_alpha("InfobipOTP")
    await raises(env.submit_hr_alpha("InfobipMore"), 400, "RR-ALPHA-SS-LIMIT400")  # 2 pending at most
    numbers = await client.submit_resource_request(
        NumberPurchaseSubmit(
            country_code="GB",
            number_type=ResourceNumberType.VIRTUAL_LONG_NUMBER,
            capabilities=[ResourceNumberCapability.SMS],
            quantity=1,
        )
    )

    got = await client.get_resource_request(first)
    assert (got.type, got.status, got.sender_name) == (
        ResourceRequestType.ALPHANUMERIC_REGISTRATION,
        ResourceRequestStatus.AUTOMATIC_VALIDATION,
        "InfobipHR",
    )
    assert got.additional_contact_emails == ["alphanumeric@infobip.com"]

    alpha_hr = dict(
        country_codes=["HR"],
        statuses=[ResourceRequestStatus.AUTOMATIC_VALIDATION],
        types=[ResourceRequestType.ALPHANUMERIC_REGISTRATION],
    )
    page0 = await client.list_resource_requests(**alpha_hr, sort=["requestedDate,asc"], page=0, size=1)
    page1 = await client.list_resource_requests(**alpha_hr, sort=["requestedDate,asc"], page=1, size=1)
    assert page0.paging.total_results == 2 and page0.paging.total_pages == 2
    assert {page0.results[0].id, page1.results[0].id} == {first, second}
    everything = [r.id async for r in iterate_pages(lambda p: client.list_resource_requests(page=p, size=2))]
    assert sorted(everything) == sorted([first, second, numbers])

    # The reviewer asks for changes; the requester resends every requirement.
    await env.request_changes(first)
    asked = await client.get_resource_request(first)
    assert asked.status == ResourceRequestStatus.UPDATE_REQUESTED
    assert [f.key for f in asked.requirements_feedback] == ["companyName"]
    fixed = [
        FilledRequirement(key=r.key, value="Infobip d.o.o." if r.key == "companyName" else r.value)
        for r in asked.requirements
    ]
    updated = await client.update_resource_request(first, fixed)
    assert updated.status == ResourceRequestStatus.AUTOMATIC_VALIDATION
    await raises(client.update_resource_request(first, fixed), 400, "RR-INVALID-STATUS400")
    await raises(client.cancel_resource_request(first), 400, "RR-INVALID-STATUS400")

    # The other one is given up instead.
    await env.request_changes(second, internal=True)
    await client.cancel_resource_request(second)
    assert (await client.get_resource_request(second)).status == ResourceRequestStatus.CANCELED

    # Errors in the new shape: unknown id, and a body the structural checks refuse.
    await raises(client.get_resource_request("00000000-0000-4000-8000-000000000000"), 404, "RR404", InfobipNotFound)
    await raises(client.cancel_resource_request("00000000-0000-4000-8000-000000000000"), 404, "RR404", InfobipNotFound)
    never_uploaded = AlphaRegistrationSubmit.model_validate(hr_alpha("NO-SUCH-DOCUMENT", "InfobipBad"))
    bad = await raises(client.submit_resource_request(never_uploaded), 400, "E400")
    assert [violation for _, violation in bad.violations if "NO-SUCH-DOCUMENT" in violation]


async def owned_resources(env: Env) -> None:
    client = env.client
    alpha = await env.submit_hr_alpha("InfobipHR")
    await env.reviewer(alpha, "complete")
    purchase = await client.submit_resource_request(
        NumberPurchaseSubmit(
            country_code="GB",
            number_type=ResourceNumberType.VIRTUAL_LONG_NUMBER,
            capabilities=[ResourceNumberCapability.SMS],
            quantity=3,
        )
    )
    await env.reviewer(purchase, "complete", procured=2)
    completed = await client.get_resource_request(purchase)
    assert completed.status == ResourceRequestStatus.COMPLETED and len(completed.numbers) == 2
    assert completed.note == "Only 2 out of 3 requested numbers could be procured."

    senders = await client.search_resources(ResourcesFilter(resource_type=IbResourceType.ALPHANUMERIC))
    assert [(s.sender_name, s.country_code) for s in senders.results] == [("InfobipHR", "HR")]
    first = await client.search_resources(ResourcesFilter(resource_type=IbResourceType.NUMBER), page=0, size=1)
    assert first.paging.total_results == 2 and first.results[0].number_key in {n.number_key for n in completed.numbers}
    only_gb = await client.search_resources(ResourcesFilter(resource_type=IbResourceType.NUMBER, countryCode="GB"))
    assert len(only_gb.results) == 2

    sender_coverage = await client.lookup_coverage(
        CoverageQuery(resource_type=IbResourceType.ALPHANUMERIC, senderName="InfobipHR", countryCode="HR")
    )
    sms = sender_coverage.capabilities[0]
    assert sms.channel == "SMS" and sms.coverage.inbound is False  # no replies to an alphanumeric sender
    number = completed.numbers[0].number
    number_coverage = await client.lookup_coverage(CoverageQuery(resource_type=IbResourceType.NUMBER, number=number))
    assert number_coverage.number == number and number_coverage.capabilities[0].coverage.outbound

    # Legacy-shape errors on these two paths; an unknown resource is a 404 with no body at all.
    unknown = await raises(
        client.lookup_coverage(CoverageQuery(resource_type=IbResourceType.NUMBER, number="123")),
        404,
        None,
        InfobipNotFound,
    )
    assert "404" in unknown.description
    blank = await raises(
        client.lookup_coverage(CoverageQuery(resource_type=IbResourceType.ALPHANUMERIC)), 400, "BAD_REQUEST"
    )
    assert blank.violations


async def inbound_configurations(env: Env) -> None:
    client = env.client
    key = await env.buy()
    stop = await client.manage_inbound_configuration(
        InboundConfigurationRequest(
            channel=InboundChannel.SMS,
            keyword="STOP",
            numberKey=key,
            forwarding={"type": "HTTP_FORWARD", "url": "https://example.com/mo"},
        )
    )
    assert stop.keyword == "STOP" and stop.forwarding.type == "HTTP_FORWARD"
    same = await client.manage_inbound_configuration(
        InboundConfigurationRequest(
            channel=InboundChannel.SMS,
            configurationKey=stop.configuration_key,
            numberKey=key,
            keyword="STOP",
            unset=["FORWARDING"],
        )
    )
    assert same.configuration_key == stop.configuration_key and same.forwarding is None

    listed = await client.get_inbound_configurations(InboundChannel.SMS, number_key=key, keyword="STOP")
    assert [c.configuration_key for c in listed] == [stop.configuration_key]
    assert await client.get_inbound_configurations(InboundChannel.MMS, number_key=key) == []
    await client.delete_inbound_configuration(stop.configuration_key)

    await raises(client.delete_inbound_configuration(stop.configuration_key), 404, "NOT_FOUND", InfobipNotFound)
    await raises(
        client.get_inbound_configurations(InboundChannel.SMS, number_key="NOT-OWNED"), 404, "NOT_FOUND", InfobipNotFound
    )


async def numbers(env: Env) -> None:
    client = env.client
    available = await client.get_available_numbers(
        AvailableNumbersQuery(country="GB", capabilities=["SMS", "VOICE"], page=0, limit=2)
    )
    assert len(available.numbers) == 2 and available.number_count > 2
    assert available.numbers[0].price.currency
    sweden = [
        n
        async for n in iterate_numbers(
            lambda p: client.get_available_numbers(AvailableNumbersQuery(country="SE", page=p, limit=3))
        )
    ]
    assert len(sweden) == (await client.get_available_numbers(AvailableNumbersQuery(country="SE"))).number_count

    gb = available.numbers[0]
    bought = await client.purchase_number(NumberPurchase(number_key=gb.number_key))
    assert (bought.number, bought.application_id) == (gb.number, "default")
    us = (await client.get_available_numbers(AvailableNumbersQuery(country="US", state="CA", limit=2))).numbers
    by_key = await raises(client.purchase_number(NumberPurchase(number_key=us[0].number_key)), 400, "BAD_REQUEST")
    assert any(field == "number" for field, _ in by_key.violations)  # the US buys by number
    us_bought = await client.purchase_number(NumberPurchase(number=us[1].number))
    assert us_bought.number_key == us[1].number_key

    owned = await client.list_owned_numbers(OwnedNumbersQuery(page=0, limit=10))
    assert {n.number_key for n in owned.numbers} == {gb.number_key, us[1].number_key}
    assert (await client.list_owned_numbers(OwnedNumbersQuery(number=gb.number))).number_count == 1
    assert (await client.get_owned_number(gb.number_key)).number == gb.number

    await client.create_application(Application(application_id="shop"))
    moved = await client.update_owned_number(gb.number_key, NumberUpdate(application_id="shop"))
    assert moved.application_id == "shop"
    await raises(client.update_owned_number(gb.number_key, NumberUpdate(application_id="nobody")), 400, "BAD_REQUEST")

    await client.cancel_number(gb.number_key)
    gone = await raises(client.get_owned_number(gb.number_key), 404, "NOT_FOUND", InfobipNotFound)
    assert gone.description == "Number not found."
    await raises(client.cancel_number(gb.number_key), 404, "NOT_FOUND", InfobipNotFound)


async def applications_and_entities(env: Env) -> None:
    client = env.client
    assert [a.application_id for a in (await client.list_applications()).results] == ["default"]
    await client.create_application(Application(application_id="shop", application_name="Shop"))
    await raises(client.create_application(Application(application_id="shop")), 409, "CONFLICT")
    await client.update_application("shop", ApplicationUpdate(application_name="Web shop"))
    assert (await client.get_application("shop")).application_name == "Web shop"
    listed = await client.list_applications(page=1, size=1)
    assert listed.paging.total_results == 2 and len(listed.results) == 1
    await raises(client.delete_application("default"), 400, "BAD_REQUEST")
    await client.delete_application("shop")
    await raises(client.get_application("shop"), 404, "NOT_FOUND", InfobipNotFound)

    await client.create_entity(Entity(entity_id="acme", entity_name="Acme"))
    await client.update_entity("acme", EntityUpdate(entity_name="Acme Ltd"))
    assert (await client.get_entity("acme")).entity_name == "Acme Ltd"
    assert [e.entity_id for e in (await client.list_entities(page=0, size=10)).results] == ["acme"]
    await client.delete_entity("acme")
    await raises(client.get_entity("acme"), 404, "NOT_FOUND", InfobipNotFound)
    await raises(client.delete_entity("acme"), 404, "NOT_FOUND", InfobipNotFound)


async def associations(env: Env) -> None:
    client = env.client
    await client.create_application(Application(application_id="shop"))
    await client.create_entity(Entity(entity_id="acme"))
    key = await env.buy(applicationId="shop", entityId="acme")
    association = ResourceAssociationRequest(
        resource_type=AssociationResourceType.NUMBER,
        channel=AssociationChannel.SMS,
        application_id="shop",
        entity_id="acme",
        resource_id=key,
    )

    await client.create_association(association)
    duplicate = await raises(client.create_association(association), 409, "CONFLICT")
    assert "already exists" in duplicate.description
    listed = await client.list_associations(resource_type="NUMBER", application_id="shop", page=0, size=10)
    assert [a.resource_id for a in listed.results] == [key]
    assert (await client.list_associations(channel=AssociationChannel.MMS)).results == []
    single = await client.get_association(
        resource_type="NUMBER", channel="SMS", application_id="shop", entity_id="acme", resource_id=key
    )
    assert (single.resource_id, single.entity_id) == (key, "acme")

    await client.delete_association(association)
    await raises(client.delete_association(association), 404, "NOT_FOUND", InfobipNotFound)
    await raises(
        client.get_association(
            resource_type="NUMBER", channel="SMS", application_id="shop", entity_id="acme", resource_id=key
        ),
        404,
        "NOT_FOUND",
        InfobipNotFound,
    )


async def subscriptions(env: Env) -> None:
    client = env.client
    security = SecuritySettings(auth_id="bot-auth", type="BASIC", credentials={"username": "bot", "password": "s3cret"})
    assert (await client.create_security_settings(security)).auth_id == "bot-auth"
    hmac = SecuritySettingsUpdate(type="HMAC", credentials={"secretKey": "k3y", "algorithm": "HMAC_SHA_256"})
    assert (await client.update_security_settings("bot-auth", hmac)).auth_id == "bot-auth"
    assert (await client.get_security_settings("bot-auth")).credentials.algorithm == "HMAC_SHA_256"
    assert [s.auth_id for s in (await client.list_security_settings(page=0, size=10)).results] == ["bot-auth"]

    profile = ProfileRequest(
        profile_id="bot-profile",
        webhook=WebhookTarget(notify_url=env.webhook_url),
        security=SecuritySettings(auth_id="bot-auth"),
    )
    created_profile = await client.create_profile(profile)
    assert created_profile.profile_id == "bot-profile"
    await client.update_profile(
        "bot-profile", ProfileUpdate(read_timeout=5000, security=SecurityRef(auth_id="bot-auth"))
    )
    assert (await client.get_profile("bot-profile")).read_timeout == 5000
    assert [p.profile_id for p in (await client.list_profiles(page=0, size=10)).results] == ["bot-profile"]

    subscription = SubscriptionRequest(
        subscription_id="resourcebot",
        name="Resource requests",
        events=EVENTS,
        criteria=[{"applicationId": "default"}],
        profile=ProfileRequest(profile_id="bot-profile"),
    )
    assert (await client.create_subscription(subscription)).subscription_id == "resourcebot"
    update = SubscriptionUpdate(events=["RESOURCE_REQUEST_STATUS_UPDATE"], profile=ProfileId(profile_id="bot-profile"))
    await client.update_subscription("resourcebot", update)
    assert (await client.get_subscription("resourcebot")).events == ["RESOURCE_REQUEST_STATUS_UPDATE"]
    listed = await client.list_subscriptions(application_id="default", page=0, size=10)
    assert [s.subscription_id for s in listed.results] == ["resourcebot"]

    in_use = await raises(client.delete_profile("bot-profile"), 400, "BAD_REQUEST")
    assert in_use.description
    await client.delete_subscription("resourcebot")
    await raises(client.get_subscription("resourcebot"), 404, "NOT_FOUND", InfobipNotFound)
    assert (await client.delete_profile("bot-profile")).profile_id == "bot-profile"
    assert (await client.delete_security_settings("bot-auth")).auth_id == "bot-auth"
    await raises(client.get_security_settings("bot-auth"), 404, "NOT_FOUND", InfobipNotFound)
    await raises(client.get_profile("bot-profile"), 404, "NOT_FOUND", InfobipNotFound)


async def certificates(env: Env) -> None:
    client = env.client
    pem = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").decode()
    uploaded = await client.upload_certificate(CertificateUpload(certificate_id="bot-cert", certificate_content=pem))
    assert (uploaded.certificate_id, uploaded.status) == ("bot-cert", "PROCESSING")
    env.sandbox.clock.advance(timedelta(seconds=2))
    assert (await client.get_certificate_status("bot-cert")).status == "READY"
    statuses = await client.list_certificate_statuses(
        CertificatesQuery(search="bot", direction="DESC", page=0, size=10)
    )
    assert [c.certificate_id for c in statuses.results] == ["bot-cert"]
    details = await client.get_certificate("bot-cert")
    assert details.valid_until > details.valid_from
    listed = await client.list_certificates(CertificatesQuery(search="bot", size=10))
    assert [c.certificate_id for c in listed.results] == ["bot-cert"]

    reached = await client.test_webhook_connection(
        ConnectionTestRequest(certificate_id="bot-cert", webhook_url=env.webhook_url)
    )
    assert reached.result == "SUCCESS"
    assert (await client.delete_certificate("bot-cert")).certificate_id == "bot-cert"
    await raises(client.get_certificate("bot-cert"), 404, "NOT_FOUND", InfobipNotFound)
    await raises(client.get_certificate_status("bot-cert"), 404, "NOT_FOUND", InfobipNotFound)


SCENARIOS = [
    lookups,
    rcs_launches,
    documents,
    resource_requests,
    owned_resources,
    inbound_configurations,
    numbers,
    applications_and_entities,
    associations,
    subscriptions,
    certificates,
]


# ---- Tests -------------------------------------------------------------------------------------

# Operation ids each scenario exercised, per scenario that ran to the end in this session: the
# coverage test reuses them instead of running every scenario a second time.
EXERCISED: dict[str, set[str]] = {}


def _operation_ids(labels: list[str]) -> set[str]:
    ids = set()
    for label in labels:  # "METHOD /path -> status", as ContractRecorder.checked holds them
        method, path, *_ = label.split()
        op = match_operation(method, path)
        assert op is not None, f"the client called a path outside the contract: {label}"
        ids.add(op.operation_id)
    return ids


@pytest.fixture
def run(start_sandbox, contract, webhook_receiver) -> Callable[..., Awaitable[None]]:
    """Run scenarios, each on a fresh sandbox with its own client, all checked by `contract`."""

    async def run_(*scenarios: Callable[[Env], Awaitable[None]]) -> None:
        for scenario in scenarios:
            before = len(contract.checked)
            async with open_env(start_sandbox, contract, webhook_receiver.url) as env:
                await scenario(env)
            EXERCISED[scenario.__name__] = _operation_ids(contract.checked[before:])

    return run_


async def test_requirements_lookups(run, contract):
    await run(lookups)
    contract.assert_clean()


async def test_rcs_launches(run, contract):
    await run(rcs_launches)
    contract.assert_clean()


async def test_documents(run, contract):
    await run(documents)
    contract.assert_clean()


async def test_resource_request_lifecycle(run, contract):
    await run(resource_requests)
    contract.assert_clean()


async def test_owned_resources_and_coverage(run, contract):
    await run(owned_resources)
    contract.assert_clean()


async def test_inbound_configurations(run, contract):
    await run(inbound_configurations)
    contract.assert_clean()


async def test_numbers(run, contract):
    await run(numbers)
    contract.assert_clean()


async def test_applications_and_entities(run, contract):
    await run(applications_and_entities)
    contract.assert_clean()


async def test_associations(run, contract):
    await run(associations)
    contract.assert_clean()


async def test_subscriptions_profiles_and_security(run, contract):
    await run(subscriptions)
    contract.assert_clean()


async def test_certificates_and_webhook_connection(run, contract):
    await run(certificates)
    contract.assert_clean()


async def test_every_contract_operation_is_exercised(run, contract):
    not_yet_run = [scenario for scenario in SCENARIOS if scenario.__name__ not in EXERCISED]
    await run(*not_yet_run)
    if not_yet_run:
        contract.assert_clean()
    exercised = set().union(*(EXERCISED[scenario.__name__] for scenario in SCENARIOS))
    missing = sorted(set(OPERATIONS) - exercised)
    assert not missing, "operations no scenario exercises: " + ", ".join(missing)
