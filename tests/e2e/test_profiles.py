"""Company profiles over real HTTP with the stand-ins: a profile saved from a successful HR sender
submission fills Serbia's form (matching keys only, its document reused by documentId: no second
upload), a value Serbia's rules refuse shows its error before submit, an expired document is not
reused, `/resource profiles` creates, edits and deletes them (audited), and only profile managers
may change them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.store.audit import list_audit
from bot.store.profiles import list_profiles
from tests.e2e.test_sender_request_lifecycle import PDF, fill_hr_form, option_value
from tests.support.names import ADMIN, ALICE, BOB, CHANNEL

UPLOAD = "upload-document"
SUBMIT = "submit-resource-request"
MANAGERS = pytest.mark.world(resourcebot_profile_managers=f"{ALICE},{ADMIN}")


def infobip_calls(world, operation: str) -> int:
    return int(world.sandbox_admin.get("/calls").json()["calls"].get(operation, 0))


def block(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def under(view: dict, block_id: str) -> str:
    """The text of the block right under `block_id` (where a field's error or remark goes)."""
    blocks = view["blocks"]
    index = next(i for i, b in enumerate(blocks) if b.get("block_id") == block_id)
    return str(blocks[index + 1]) if index + 1 < len(blocks) else ""


def hr_profile(world, name: str = "Acme"):
    """ALICE submits the HR sender form and saves what she sent as profile `name`; returns it."""
    world.driver.slash_command("/resource", "sender HR", user=ALICE, channel=CHANNEL)
    form = world.view(callback_id="request_form", contains="companyRegistrationDocument")
    assert "profile_picker" not in str(form["blocks"])  # no profiles yet: no picker
    submitted = world.driver.submit_view(fill_hr_form(world, form), user=ALICE)
    assert not submitted.errors, submitted.errors
    done = world.view(contains="Save as a profile")
    world.driver.block_action("profile_save_new", user=ALICE, view_id=done["id"])
    save = world.view(callback_id="profile_save")
    assert block(save, "profile_name")["element"]["initial_value"] == "Acme d.o.o."
    assert "acme-registration.pdf" in str(save["blocks"])
    saved = world.driver.submit_view({"profile_name": name}, user=ALICE)
    assert not saved.errors, saved.errors
    world.view(contains="Saved profile")
    world.slack.close_views(ALICE, clear=True)
    [profile] = [p for p in list_profiles(world.services.db) if p.name == name]
    return profile


def expire_documents(world, profile) -> None:
    """ALICE dates the profile's document valid until yesterday, in `/resource profiles`."""
    yesterday = (world.services.clock.now() - timedelta(days=1)).date().isoformat()
    world.driver.slash_command("/resource", "profiles", user=ALICE, channel=CHANNEL)
    world.view(callback_id="profiles", contains="Acme")
    world.driver.block_action("profile_edit", profile.id, user=ALICE)
    world.view(callback_id="profile_edit", contains="acme-registration.pdf")
    assert not world.driver.submit_view({"profile_valid_until.0": yesterday}, user=ALICE).errors
    world.view(callback_id="profiles", contains="expired")
    world.slack.close_views(ALICE, clear=True)


def pick(world, profile, user: str = ALICE) -> dict:
    """Picks `profile` at the top of the open form; returns the form once drawn again from it."""
    world.driver.block_action("profile_pick", profile.id, user=user)
    return world.view(user, callback_id="request_form", contains="from profile")


@MANAGERS
def test_a_profile_saved_from_an_hr_submission_fills_the_rs_form_and_reuses_its_document(world):
    profile = hr_profile(world)
    [request] = world.requests()
    sent = {r["key"]: r["value"] for r in world.sandbox_request(request)["requirements"]}
    [document] = profile.documents["companyRegistrationDocument"]
    assert document.document_id == sent["companyRegistrationDocument"]  # the documentId Infobip gave it
    assert document.name == "acme-registration.pdf"
    assert profile.values["companyName"] == "Acme d.o.o." and profile.values["vatNumber"] == "HR12345678901"
    assert [e.action for e in list_audit(world.services.db, action_prefix="profile.")] == ["profile.create"]
    uploads = infobip_calls(world, UPLOAD)

    world.driver.slash_command("/resource", "sender RS", user=ALICE, channel=CHANNEL)
    form = world.view(callback_id="request_form", contains="profile_picker")
    assert "Tax ID (PIB)" in str(form["blocks"])
    # Alice types the sender name first: the profile does not fill it, so it stays.
    world.slack.set_view_state(form["id"], world.driver.state_values(form, {"senderName": "ACMERS"}, check=False))
    form = pick(world, profile)
    assert block(form, "senderName")["element"]["initial_value"] == "ACMERS"
    assert "Filled 6 of 9 fields from profile Acme" in str(form["blocks"])
    assert block(form, "companyName")["element"]["initial_value"] == "Acme d.o.o."
    assert block(form, "companyWebsite")["element"]["initial_value"] == "https://acme.example"
    assert block(form, "useCase")["element"]["initial_option"]["value"] == "Notifications"
    assert block(form, "registrationConsent")["element"]["initial_options"]
    assert "initial_value" not in block(form, "applicationId")["element"]  # the profile lacks it: left empty
    reused = block(form, "companyRegistrationDocument")
    assert reused.get("optional") is True
    assert "Using acme-registration.pdf from profile Acme (uploaded" in reused["hint"]["text"]
    assert "Attach another file" in reused["hint"]["text"]

    submitted = world.driver.submit_view({"vatNumber": "123456789"}, user=ALICE)
    assert not submitted.errors, submitted.errors
    world.view(contains="submitted")
    rs = next(r for r in world.requests() if r.country == "RS")
    sent = {r["key"]: r["value"] for r in world.sandbox_request(rs)["requirements"]}
    assert sent["companyRegistrationDocument"] == document.document_id  # reused, not uploaded again
    assert sent["companyName"] == "Acme d.o.o." and sent["vatNumber"] == "123456789"
    assert infobip_calls(world, UPLOAD) == uploads
    assert "Update profile Acme" in str(world.slack.current_view(ALICE)["blocks"])
    world.wait_thread(rs.id, 1)
    assert "acme-registration.pdf" in world.root_text(rs)  # the thread names the reused document


@MANAGERS
def test_a_prefilled_value_that_breaks_the_countrys_rules_shows_its_error_before_submit(world):
    profile = hr_profile(world)
    submits = infobip_calls(world, SUBMIT)
    world.driver.slash_command("/resource", "sender RS", user=ALICE, channel=CHANNEL)
    world.view(callback_id="request_form", contains="profile_picker")
    form = pick(world, profile)
    assert "1 value doesn't meet this country's rules" in str(form["blocks"])
    assert block(form, "vatNumber")["element"]["initial_value"] == "HR12345678901"
    assert "Must be" in under(form, "vatNumber") and "9" in under(form, "vatNumber")

    refused = world.driver.submit_view({"senderName": "ACMERS"}, user=ALICE)
    assert "vatNumber" in refused.errors and "Must be" in refused.errors["vatNumber"]
    assert infobip_calls(world, SUBMIT) == submits  # nothing sent


@MANAGERS
def test_an_expired_document_is_not_reused(world):
    profile = hr_profile(world)
    expire_documents(world, profile)
    uploads = infobip_calls(world, UPLOAD)

    world.driver.slash_command("/resource", "sender RS", user=ALICE, channel=CHANNEL)
    world.view(callback_id="request_form", contains="profile_picker")
    form = pick(world, profile)
    assert "An expired document was not reused" in str(form["blocks"])
    field = block(form, "companyRegistrationDocument")
    assert not field.get("optional") and "expired" in field["hint"]["text"]
    assert "Using" not in field["hint"]["text"]

    fresh = world.slack.add_file("acme-extract.pdf", "application/pdf", PDF, user=ALICE)
    values = {"senderName": "ACMERS", "vatNumber": "123456789", "companyRegistrationDocument": [fresh]}
    submitted = world.driver.submit_view(values, user=ALICE)
    assert not submitted.errors, submitted.errors
    world.view(contains="submitted")
    assert infobip_calls(world, UPLOAD) == uploads + 1  # a new file, uploaded
    rs = next(r for r in world.requests() if r.country == "RS")
    sent = {r["key"]: r["value"] for r in world.sandbox_request(rs)["requirements"]}
    assert sent["companyRegistrationDocument"] != profile.documents["companyRegistrationDocument"][0].document_id


def test_profiles_are_created_edited_and_deleted_from_resource_profiles_and_audited(world):
    world.driver.slash_command("/resource", "profiles", user=ADMIN, channel=CHANNEL)
    listing = world.view(ADMIN, callback_id="profiles", contains="No profiles yet")
    world.driver.block_action("profile_new", user=ADMIN, view_id=listing["id"])
    world.view(ADMIN, callback_id="profile_edit")
    values = "companyName: Acme d.o.o.\ncompanyWebsite: https://acme.example\nuseCase: Notifications"
    assert not world.driver.submit_view({"profile_name": "Acme", "profile_values": values}, user=ADMIN).errors
    listing = world.view(ADMIN, callback_id="profiles", contains="Created profile")
    [profile] = list_profiles(world.services.db)
    assert profile.values == {
        "companyName": "Acme d.o.o.",
        "companyWebsite": "https://acme.example",
        "useCase": "Notifications",
    }

    # A second one of the same name (in another case) is refused under the name.
    world.driver.block_action("profile_new", user=ADMIN, view_id=listing["id"])
    world.view(ADMIN, callback_id="profile_edit")
    taken = world.driver.submit_view({"profile_name": "ACME"}, user=ADMIN)
    assert "exists already" in taken.errors["profile_name"]
    world.driver.close_view(user=ADMIN)

    world.driver.block_action("profile_edit", profile.id, user=ADMIN, view_id=listing["id"])
    editor = world.view(ADMIN, callback_id="profile_edit", contains="Delete profile")
    assert "companyName: Acme d.o.o." in block(editor, "profile_values")["element"]["initial_value"]
    changed = (
        "companyName: Acme Group d.o.o.\ncompanyEmailAddresses: a@acme.example\ncompanyEmailAddresses: b@acme.example"
    )
    assert not world.driver.submit_view({"profile_name": "Acme Group", "profile_values": changed}, user=ADMIN).errors
    listing = world.view(ADMIN, callback_id="profiles", contains="Saved profile")
    [profile] = list_profiles(world.services.db)
    assert profile.name == "Acme Group"
    assert profile.values == {
        "companyName": "Acme Group d.o.o.",
        "companyEmailAddresses": ["a@acme.example", "b@acme.example"],
    }

    world.driver.block_action("profile_edit", profile.id, user=ADMIN, view_id=listing["id"])
    editor = world.view(ADMIN, callback_id="profile_edit", contains="Delete profile")
    delete = block(editor, "delete")["elements"][0]
    assert delete["confirm"]["title"]["text"] == "Delete this profile?"  # Slack asks before it is sent
    world.driver.block_action("profile_delete", profile.id, user=ADMIN, view_id=editor["id"])
    world.view(ADMIN, contains="Deleted profile")
    assert list_profiles(world.services.db) == []
    world.wait(
        lambda: "No profiles yet" in str(world.slack.view(listing["id"])["blocks"]),
        what="the list under it to be empty",
    )

    entries = list_audit(world.services.db, action_prefix="profile.")
    assert [(e.action, e.actor, e.target) for e in entries] == [
        ("profile.create", ADMIN, "Acme"),
        ("profile.update", ADMIN, "Acme Group"),
        ("profile.delete", ADMIN, "Acme Group"),
    ]
    assert entries[1].before["name"] == "Acme" and entries[1].after["values"]["companyName"] == "Acme Group d.o.o."


def test_someone_who_is_not_a_profile_manager_can_use_profiles_but_not_change_them(world):
    world.driver.slash_command("/resource", "profiles", user=ADMIN, channel=CHANNEL)
    listing = world.view(ADMIN, callback_id="profiles")
    world.driver.block_action("profile_new", user=ADMIN, view_id=listing["id"])
    world.view(ADMIN, callback_id="profile_edit")
    values = "companyName: Acme d.o.o.\nuseCase: Notifications"
    assert not world.driver.submit_view({"profile_name": "Acme", "profile_values": values}, user=ADMIN).errors
    [profile] = list_profiles(world.services.db)

    world.driver.slash_command("/resource", "profiles", user=BOB, channel=CHANNEL)
    listing = world.view(BOB, callback_id="profiles", contains="Acme")
    world.driver.block_action("profile_new", user=BOB, view_id=listing["id"])
    refused = str(world.view(BOB, callback_id="profiles", contains="Only profile managers")["blocks"])
    assert f"<@{ADMIN}>" in refused and "nothing was changed" in refused
    world.driver.block_action("profile_edit", profile.id, user=BOB, view_id=listing["id"])
    world.view(BOB, callback_id="profiles", contains="Only profile managers can change company profiles")
    assert [v["callback_id"] for v in world.slack.view_stack(BOB)] == ["profiles"]  # no editor opened
    world.slack.close_views(BOB, clear=True)

    # Bob still fills a form from it; his confirmation offers no saving.
    world.driver.slash_command("/resource", "sender HR", user=BOB, channel=CHANNEL)
    world.view(BOB, callback_id="request_form", contains="profile_picker")
    form = pick(world, profile, user=BOB)
    assert block(form, "companyName")["element"]["initial_value"] == "Acme d.o.o."
    document = world.slack.add_file("acme-registration.pdf", "application/pdf", PDF, user=BOB)
    values = {
        "senderName": "ACME",
        "companyWebsite": "https://acme.example",
        "companyRegistrationDocument": [document],
        "registrationConsent": [option_value(form, "registrationConsent")],
    }
    assert not world.driver.submit_view(values, user=BOB).errors
    done = world.view(BOB, contains="submitted")
    assert "profile_save" not in str(done["blocks"])
    assert [e.action for e in list_audit(world.services.db, action_prefix="profile.")] == ["profile.create"]


def test_the_launcher_leads_to_the_profiles(world):
    world.driver.slash_command("/resource", "", user=BOB, channel=CHANNEL)
    world.view(BOB, callback_id="launcher", contains="Company profiles")
    assert not world.driver.submit_view({"what": "profiles"}, user=BOB).errors
    listing = str(world.view(BOB, callback_id="profiles", contains="No profiles yet")["blocks"])
    assert f"<@{ADMIN}> can change them" in listing
