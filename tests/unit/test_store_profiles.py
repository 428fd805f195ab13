"""Profiles in the store (bot/store/profiles.py): names unique regardless of case, each change audited
with what it was before and after, a deleted profile gone for good."""

from __future__ import annotations

import pytest

from bot.domain.profiles import ProfileDocument
from bot.store.audit import list_audit
from bot.store.db import open_database
from bot.store.profiles import (
    ProfileGone,
    ProfileNameTaken,
    create_profile,
    delete_profile,
    get_profile,
    has_profiles,
    list_profiles,
    update_profile,
)

DOC = ProfileDocument("acme-extract.pdf", "DOC1", "2026-03-12T09:00:00+00:00", "2027-03-12")


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "bot.sqlite3")
    yield database
    database.close()


def test_profiles_are_created_read_changed_and_deleted_each_change_audited(db):
    assert not has_profiles(db)
    acme = create_profile(db, actor="U1", name=" Acme ", values={"companyName": "Acme"}, documents={"doc": [DOC]})
    assert has_profiles(db) and acme.name == "Acme"
    assert get_profile(db, acme.id) == acme
    create_profile(db, actor="U1", name="Beta", values={})
    assert [p.name for p in list_profiles(db)] == ["Acme", "Beta"]

    with pytest.raises(ProfileNameTaken):
        create_profile(db, actor="U1", name="ACME", values={})
    with pytest.raises(ProfileNameTaken):
        update_profile(db, acme.id, actor="U2", name="beta", values={}, documents={})
    changed = update_profile(db, acme.id, actor="U2", name="Acme Group", values={"companyName": "AG"}, documents={})
    assert get_profile(db, acme.id) == changed and changed.updated_by == "U2"

    assert delete_profile(db, acme.id, actor="U2") == changed
    assert delete_profile(db, acme.id, actor="U2") is None
    with pytest.raises(ProfileGone):
        update_profile(db, acme.id, actor="U2", name="Acme", values={}, documents={})

    entries = list_audit(db, action_prefix="profile.")
    assert [(e.action, e.target, e.actor) for e in entries] == [
        ("profile.create", "Acme", "U1"),
        ("profile.create", "Beta", "U1"),
        ("profile.update", "Acme Group", "U2"),
        ("profile.delete", "Acme Group", "U2"),
    ]
    assert entries[0].after["documents"]["doc"][0]["documentId"] == "DOC1"
    assert entries[2].before["values"] == {"companyName": "Acme"} and entries[2].after["values"] == {
        "companyName": "AG"
    }
    assert entries[3].before["name"] == "Acme Group" and entries[3].after is None
