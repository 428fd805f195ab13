"""`/resource sender HR,RS,SI,GB`: one form for several countries, one Infobip request (and thread)
per country, each filed once, and one summary message kept current as their statuses change; a
company profile picked at its top fills every country's fields and reuses its documents."""

from __future__ import annotations

import pytest

from bot.sandbox.slack.driver import FormBlocked
from tests.e2e.test_profiles import MANAGERS, block, expire_documents, hr_profile, under
from tests.e2e.test_rcs_requests import infobip_calls
from tests.e2e.test_sender_request_lifecycle import PDF, option_value
from tests.support.names import ALICE, CHANNEL
from tests.support.world import BOTH_TRANSPORTS, block_text

COUNTRIES = ("HR", "RS", "SI")


def fields(view: dict) -> dict[str, str]:
    """The form's inputs: block_id → label."""
    return {b["block_id"]: b["label"]["text"] for b in view["blocks"] if b.get("type") == "input"}


def fill(world, view: dict) -> dict:
    def document(name: str) -> list:
        return [world.slack.add_file(name, "application/pdf", PDF, user=ALICE)]

    return {
        "senderName": "ACME",
        "companyName": "Acme Group",
        "useCase": "Notifications",
        "companyWebsite": "https://acme.example",
        "registrationConsent": [option_value(view, "registrationConsent")],
        "HR:vatNumber": "HR12345678901",
        "RS:vatNumber": "123456789",
        "SI:vatNumber": "SI12345678",
        "HR:companyRegistrationDocument": document("acme-hr.pdf"),
        "RS:companyRegistrationDocument": document("acme-rs.pdf"),
        "SI:companyRegistrationDocument": document("acme-si.pdf"),
    }


def at_infobip(world) -> tuple[int, int]:
    """(sender requests, uploaded documents) the sandbox holds: what was filed, however many calls
    it took (an upload answered 429 is sent again, and counted as a call)."""
    requests = world.sandbox.requests
    filed = sum(1 for r in requests.lifecycle.requests.values() if r.type == "ALPHANUMERIC_REGISTRATION")
    documents = sum(1 for d in requests.documents._documents.values() if not d.template)
    return filed, documents


def summary(world) -> dict:
    return world.wait(
        lambda: next((m for m in world.slack.messages(CHANNEL) if "countries: one request" in block_text(m)), None),
        what="the summary message",
    )


def open_form(world, countries: str) -> dict:
    ack = world.driver.slash_command("/resource", f"sender {countries}", user=ALICE, channel=CHANNEL)
    assert ack.status == 200 and ack.in_time
    return world.view(callback_id="multi_request_form", contains="registrationConsent")


def test_shared_fields_once_and_differing_ones_per_country(world):
    form = open_form(world, "HR,RS,SI")
    inputs = fields(form)
    # Every country asks the same of these: asked once, under the requirement's key.
    for key in ("senderName", "companyName", "useCase", "companyWebsite", "registrationConsent"):
        assert key in inputs, key
    # A key whose rules differ is asked per country, labelled with it.
    for country in COUNTRIES:
        assert f"{country}:vatNumber" in inputs and inputs[f"{country}:vatNumber"].endswith(f"({country})")
        assert f"{country}:companyRegistrationDocument" in inputs
    assert "vatNumber" not in inputs
    # What only Croatia asks for is Croatia's.
    assert "HR:expectedMonthlyMessages" in inputs and "RS:expectedMonthlyMessages" not in inputs
    # Each country's rule is checked in its own field.
    values = fill(world, form) | {"RS:vatNumber": "RS123", "SI:vatNumber": "HR12345678901"}
    refused = world.driver.submit_view(values, user=ALICE)
    assert set(refused.errors) == {"RS:vatNumber", "SI:vatNumber"}, refused.errors
    assert infobip_calls(world, "submit-resource-request") == 0


@BOTH_TRANSPORTS  # the form, its submission and the summary over HTTP and over Socket Mode
def test_three_countries_three_requests_threads_and_one_summary_kept_current(world):
    world.sandbox.config.pending_sender_limit = 3  # an account whose limit Infobip raised
    form = open_form(world, "HR,RS,SI,GB")
    assert "United Kingdom" in block_text(form) and "Left out" in block_text(form)
    assert not any(key.startswith("GB:") for key in fields(form))

    payload = world.driver.view_submission_payload(fill(world, form), user=ALICE)
    submitted = world.driver.interact(payload)
    assert submitted.status == 200 and not submitted.errors, submitted.errors
    final = world.view(contains="requests were submitted")
    text = block_text(final)
    assert "3 of 4 requests were submitted" in text and "United Kingdom" in text and "left out" in text

    requests = {r.country: r for r in world.requests()}
    assert set(requests) == set(COUNTRIES)
    for request in requests.values():
        (root,) = world.wait_thread(request.id, 1)
        assert "ACME" in block_text(root) and request.channel == CHANNEL
    sent = {
        r.country: world.sandbox_admin.get(f"/resource-requests/{r.provider_request_id}").json()
        for r in requests.values()
    }
    values = {c: {item["key"]: item["value"] for item in s["requirements"]} for c, s in sent.items()}
    assert values["RS"]["vatNumber"] == "123456789" and values["SI"]["vatNumber"] == "SI12345678"
    assert values["HR"]["vatNumber"] == "HR12345678901" and "expectedMonthlyMessages" not in values["RS"]
    assert all(v["companyName"] == "Acme Group" and v["companyRegistrationDocument"] for v in values.values())
    assert at_infobip(world) == (3, 3)

    posted = summary(world)
    text = block_text(posted)
    for request in requests.values():
        assert request.id in text
    assert "United Kingdom" in text

    # The reviewer asks Serbia for changes: its thread says so, and so does the summary.
    serbia = requests["RS"]
    world.reviewer(serbia, "advance")
    world.reviewer(
        serbia,
        "request-changes",
        feedback=[{"key": "vatNumber", "code": "RES_REQ_FEED_FORMAT", "feedback": "Use the PIB of the parent."}],
    )
    world.wait_thread(serbia.id, 2)
    world.wait(
        lambda: "Update requested" in block_text(world.slack.message(CHANNEL, posted["ts"])),
        what="the summary to show Serbia's Update requested",
    )
    now = block_text(world.slack.message(CHANNEL, posted["ts"]))
    assert now.count("Update requested") == 1

    # The same submission again (a replay): nothing more is filed, posted or uploaded.
    world.wait_idle()
    calls = world.sandbox_admin.get("/calls").json()["calls"]
    again = world.driver.interact(payload)
    assert again.status == 200
    world.wait_idle()
    assert world.sandbox_admin.get("/calls").json()["calls"] == calls and at_infobip(world) == (3, 3)
    assert len(world.requests()) == 3
    assert sum("countries: one request" in block_text(m) for m in world.slack.messages(CHANNEL)) == 1


def test_a_country_infobip_refuses_on_submit_loses_none_of_the_others(world):
    # The account may have 2 sender requests pending (RR-ALPHA-SS-LIMIT400): the third is refused.
    form = open_form(world, "HR,RS,SI")
    assert world.driver.submit_view(fill(world, form), user=ALICE).status == 200
    final = block_text(world.view(contains="requests were submitted"))
    assert "2 of 3 requests were submitted" in final and "up to 2 pending sender requests" in final
    requests = world.requests()
    assert len(requests) == 2 and at_infobip(world) == (2, 2)  # the refused one's document deleted
    for request in requests:
        world.wait_thread(request.id, 1)
    text = block_text(summary(world))
    assert all(r.id in text for r in requests) and "not filed" in text and "up to 2 pending" in text


def test_only_refused_countries_get_a_message_and_nothing_else(world):
    ack = world.driver.slash_command("/resource", "sender GB,US", user=ALICE, channel=CHANNEL)
    assert ack.status == 200
    view = world.view(contains="None of these countries")
    assert "United Kingdom" in block_text(view) and "United States" in block_text(view)
    assert not [b for b in view["blocks"] if b.get("type") == "input"]


def test_the_launcher_opens_the_form_for_several_countries_typed_with_commas(world):
    ack = world.driver.slash_command("/resource", "", user=ALICE, channel=CHANNEL)
    assert ack.status == 200
    world.view(callback_id="launcher")
    unknown = world.driver.submit_view({"what": "sender", "country": "HR, Atlantis"}, user=ALICE)
    assert "Atlantis" in unknown.errors["country"]
    chosen = world.driver.submit_view({"what": "sender", "country": "Croatia, rs"}, user=ALICE)
    assert chosen.status == 200 and not chosen.errors
    form = world.view(callback_id="multi_request_form", contains="registrationConsent")
    assert "RS:vatNumber" in fields(form) and "HR:vatNumber" in fields(form)


# ---- Company profiles ---------------------------------------------------------------------------


def pick_in_multi(world, profile) -> dict:
    """Picks `profile` at the top of the open multi-country form; returns it once drawn again."""
    world.driver.block_action("multi_profile_pick", profile.id, user=ALICE)
    return world.view(ALICE, callback_id="multi_request_form", contains="from profile")


@MANAGERS
def test_a_profile_fills_every_countrys_fields_and_its_document_is_reused_for_each(world):
    world.sandbox.config.pending_sender_limit = 3  # HR's request, then Serbia's and Slovenia's
    profile = hr_profile(world)
    [document] = profile.documents["companyRegistrationDocument"]
    assert at_infobip(world) == (1, 1)

    form = open_form(world, "RS,SI")
    assert "profile_picker" in str(form["blocks"])
    # Alice types the sender name first: the profile does not fill it, so it stays.
    world.slack.set_view_state(form["id"], world.driver.state_values(form, {"senderName": "ACMEXY"}, check=False))
    form = pick_in_multi(world, profile)
    text = str(form["blocks"])
    assert "Filled 8 of 11 fields from profile Acme" in text
    assert block(form, "senderName")["element"]["initial_value"] == "ACMEXY"
    assert block(form, "companyName")["element"]["initial_value"] == "Acme d.o.o."  # shared
    assert block(form, "companyWebsite")["element"]["initial_value"] == "https://acme.example"
    for country in ("RS", "SI"):  # each country's own field, from the profile's key
        assert block(form, f"{country}:vatNumber")["element"]["initial_value"] == "HR12345678901"
        reused = block(form, f"{country}:companyRegistrationDocument")
        assert reused.get("optional") is True
        assert "Using acme-registration.pdf from profile Acme (uploaded" in reused["hint"]["text"]
        assert "Attach another file" in reused["hint"]["text"]

    submitted = world.driver.submit_view({"RS:vatNumber": "123456789", "SI:vatNumber": "SI12345678"}, user=ALICE)
    assert not submitted.errors, submitted.errors
    assert "2 of 2 requests were submitted" in block_text(world.view(contains="requests were submitted"))
    requests = {r.country: r for r in world.requests() if r.country in ("RS", "SI")}
    assert set(requests) == {"RS", "SI"}
    for country, request in requests.items():
        sent = {r["key"]: r["value"] for r in world.sandbox_request(request)["requirements"]}
        assert sent["companyRegistrationDocument"] == document.document_id  # reused, not uploaded again
        assert sent["companyName"] == "Acme d.o.o."
        assert sent["vatNumber"] == {"RS": "123456789", "SI": "SI12345678"}[country]
    assert at_infobip(world) == (3, 1)  # two more requests, no other document
    for request in requests.values():
        world.wait_thread(request.id, 1)
        assert "acme-registration.pdf" in world.root_text(request)  # each thread names the reused document


@MANAGERS
def test_a_prefilled_value_breaking_a_countrys_rules_shows_under_its_field_before_submit(world):
    profile = hr_profile(world)
    submits = infobip_calls(world, "submit-resource-request")
    open_form(world, "RS,SI")
    form = pick_in_multi(world, profile)
    # Croatia's VAT number is neither a Serbian PIB nor a Slovenian one: each says so under its field.
    assert "2 values don't meet a country's rules" in str(form["blocks"])
    assert "Must be" in under(form, "RS:vatNumber") and "9" in under(form, "RS:vatNumber")
    assert under(form, "SI:vatNumber") and "SI" in under(form, "SI:vatNumber")
    assert "Must be" not in under(form, "companyName")

    refused = world.driver.submit_view({"senderName": "ACMEXY"}, user=ALICE)
    assert set(refused.errors) == {"RS:vatNumber", "SI:vatNumber"}, refused.errors
    assert infobip_calls(world, "submit-resource-request") == submits  # nothing sent


@MANAGERS
def test_an_expired_profile_document_is_not_reused_in_any_country(world):
    profile = hr_profile(world)
    expire_documents(world, profile)

    open_form(world, "RS,SI")
    form = pick_in_multi(world, profile)
    assert "An expired document was not reused" in str(form["blocks"])
    for country in ("RS", "SI"):
        field = block(form, f"{country}:companyRegistrationDocument")
        assert not field.get("optional") and "expired" in field["hint"]["text"] and "Using" not in field["hint"]["text"]
    # A file must be attached for each country: Slack itself refuses the form without one.
    with pytest.raises(FormBlocked) as blocked:
        world.driver.submit_view({"senderName": "ACMEXY"}, user=ALICE)
    assert "RS:companyRegistrationDocument" in str(blocked.value) and "SI:companyRegistrationDocument" in str(
        blocked.value
    )


def test_no_profiles_no_picker(world):
    form = open_form(world, "RS,SI")
    assert "profile_picker" not in str(form["blocks"])
