"""Requirement lookups kept for a while (RESOURCEBOT_REQUIREMENTS_CACHE_SECONDS): a form opened
again appears without asking Infobip; another country or option asks; an old answer is asked
again; and a submission Infobip refuses over changed requirements drops what was kept, so the
next form shows what Infobip asks for now."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from bot.sandbox.infobip.requirements_catalog import ALPHA_HR
from tests.e2e.test_sender_request_lifecycle import fill_hr_form
from tests.support.names import ALICE, BOB, CHANNEL

LOOKUP = "resources-requirements-lookup"


def lookups(world) -> int:
    return world.sandbox.calls[LOOKUP]


def open_form(world, text: str, user: str = ALICE, contains: str | None = None, *, close: bool = True) -> dict:
    """`/resource <text>` until the request form is up (the loading modal replaced); then the
    person closes it, unless `close` is false, so that the next command's form is a new modal."""
    ack = world.driver.slash_command("/resource", text, user=user, channel=CHANNEL)
    assert ack.status == 200 and ack.in_time
    form = world.view(user, callback_id="request_form", contains=contains)
    if close:
        world.slack.close_views(user, clear=True)
    return form


def block_ids(view: dict) -> set[str]:
    """The form's inputs: one per requirement (block_id = its key) and the fixed fields."""
    return {b["block_id"] for b in view["blocks"] if b.get("type") == "input"}


def test_the_second_sender_hr_form_opens_without_a_lookup(world):
    first = open_form(world, "sender HR", contains="companyRegistrationDocument")
    assert lookups(world) == 1

    second = open_form(world, "sender HR", user=BOB, contains="companyRegistrationDocument", close=False)
    assert lookups(world) == 1  # from what was kept: Infobip was not asked again
    assert block_ids(second) == block_ids(first)

    # The kept form is a whole form: it goes through as the first would have.
    submitted = world.driver.submit_view(fill_hr_form(world, second), user=BOB)
    assert submitted.status == 200 and not submitted.errors, submitted.errors
    world.view(BOB, contains="submitted")
    assert lookups(world) == 1


def test_another_country_or_option_is_looked_up(world):
    open_form(world, "sender HR", contains="companyRegistrationDocument")
    open_form(world, "sender DE", contains="businessLicense")
    assert lookups(world) == 2
    open_form(world, "sender HR LOCAL", contains="companyRegistrationDocument")
    open_form(world, "sender HR LOCAL PROMOTIONAL", contains="companyRegistrationDocument")
    assert lookups(world) == 4
    open_form(world, "number HR", contains="companyName")
    open_form(world, "number HR VIRTUAL_LONG_NUMBER SMS,VOICE", contains="companyName")
    assert lookups(world) == 6
    for text in ("sender HR", "sender DE", "sender HR LOCAL", "number HR"):  # each kept on its own
        open_form(world, text)
    assert lookups(world) == 6


@pytest.mark.world(resourcebot_requirements_cache_seconds=120)
def test_an_answer_older_than_the_setting_is_looked_up_again(world):
    open_form(world, "sender HR", contains="companyRegistrationDocument")
    world.services.clock.advance(timedelta(seconds=119))
    open_form(world, "sender HR", contains="companyRegistrationDocument")
    assert lookups(world) == 1
    world.services.clock.advance(timedelta(seconds=1))
    open_form(world, "sender HR", contains="companyRegistrationDocument")
    assert lookups(world) == 2


@pytest.mark.world(resourcebot_requirements_cache_seconds=0)
def test_zero_turns_the_cache_off(world):
    open_form(world, "sender HR", contains="companyRegistrationDocument")
    open_form(world, "sender HR", contains="companyRegistrationDocument")
    assert lookups(world) == 2


def test_a_failed_lookup_is_not_kept(world):
    world.sandbox_fault(operation_id=LOOKUP, status=503, times=None)
    world.driver.slash_command("/resource", "sender HR", user=ALICE, channel=CHANNEL)
    world.view(ALICE, contains=":warning:")
    failed = lookups(world)
    assert world.sandbox_admin.delete("/faults").status_code in (200, 204)
    open_form(world, "sender HR", contains="companyRegistrationDocument")
    assert lookups(world) == failed + 1


def test_a_refusal_over_changed_requirements_drops_the_kept_form(world):
    open_form(world, "sender HR", contains="vatNumber")
    # Meanwhile Infobip stops asking for a VAT number and asks for a tax office instead.
    changed = [copy.deepcopy(r) for r in ALPHA_HR if r["key"] != "vatNumber"]
    changed.append(
        {"key": "taxOffice", "type": "TEXT", "name": "Tax Office", "required": True, "category": "BUSINESS_DETAILS"}
    )
    answer = world.sandbox_admin.put(
        "/requirements", json={"type": "ALPHANUMERIC_REGISTRATION", "countryCode": "HR", "requirements": changed}
    )
    assert answer.status_code == 200, answer.text

    # Until something says so, the kept form is still the one shown.
    form = open_form(world, "sender HR", contains="vatNumber", close=False)
    assert lookups(world) == 1

    submitted = world.driver.submit_view(fill_hr_form(world, form), user=ALICE)
    assert submitted.status == 200 and not submitted.errors, submitted.errors
    refused = world.view(ALICE, contains="vatNumber")
    assert "Unknown requirement key" in str(refused["blocks"]) and "open the form again" in str(refused["blocks"])
    assert world.requests() == [] or all(r.provider_request_id is None for r in world.requests())

    world.slack.close_views(ALICE, clear=True)
    fresh = open_form(world, "sender HR", contains="taxOffice", close=False)
    assert lookups(world) == 2
    assert "taxOffice" in block_ids(fresh) and "vatNumber" not in block_ids(fresh)
    values = {**fill_hr_form(world, fresh), "taxOffice": "Porezna uprava Zagreb"}
    del values["vatNumber"]
    submitted = world.driver.submit_view(values, user=ALICE)
    assert submitted.status == 200 and not submitted.errors, submitted.errors
    world.view(ALICE, contains="submitted")


def test_forms_opened_while_the_lookup_is_under_way_share_it(world):
    world.sandbox_fault(operation_id=LOOKUP, delay=1.0, times=None)
    for user in (ALICE, BOB):
        ack = world.driver.slash_command("/resource", "sender HR", user=user, channel=CHANNEL)
        assert ack.status == 200 and ack.in_time
    for user in (ALICE, BOB):
        world.view(user, callback_id="request_form", contains="companyRegistrationDocument")
    assert lookups(world) == 1
