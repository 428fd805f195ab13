"""Company profiles in the store: listed, read, created, changed and deleted, each change written
to the audit log (`profile.create`, `profile.update`, `profile.delete`) in the same transaction.

Profiles live only here: nothing is sent to a provider when one changes (its documents were
uploaded to Infobip by the request that brought them), so a change is one write, not an intent.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import sqlite_utils

from bot.domain.profiles import Profile, ProfileDocument, documents_from_json, documents_to_json
from bot.store.audit import record_audit
from bot.store.db import write
from bot.store.requests import now_iso

PROVIDER = "resourcebot"  # the audit log's provider column: a change of the bot's own data


class ProfileNameTaken(ValueError):
    """Another profile has this name already (names are unique regardless of case)."""


class ProfileGone(LookupError):
    """The profile was deleted meanwhile."""


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _profile(row: dict[str, Any]) -> Profile:
    return Profile(
        id=row["id"],
        name=row["name"],
        values=json.loads(row["profile_values"] or "{}"),
        documents=documents_from_json(json.loads(row["documents"] or "{}")),
        updated_by=row.get("updated_by"),
        updated_at=row.get("updated_at"),
    )


def _audited(profile: Profile) -> dict[str, Any]:
    """What the audit log keeps of a profile: its name, values and documents (with their documentIds)."""
    return {"name": profile.name, "values": profile.values, "documents": documents_to_json(profile.documents)}


def list_profiles(db: sqlite_utils.Database) -> list[Profile]:
    """Every profile, by name."""
    return [_profile(row) for row in db.table("profiles").rows_where(order_by="name_key")]


def get_profile(db: sqlite_utils.Database, profile_id: str | None) -> Profile | None:
    if not profile_id:
        return None
    rows = list(db.table("profiles").rows_where("id = ?", [profile_id], limit=1))
    return _profile(rows[0]) if rows else None


def has_profiles(db: sqlite_utils.Database) -> bool:
    return db.execute("SELECT 1 FROM profiles LIMIT 1").fetchone() is not None


def _check_name(db: sqlite_utils.Database, name: str, profile_id: str | None) -> None:
    row = db.execute("SELECT id FROM profiles WHERE name_key = ?", [_name_key(name)]).fetchone()
    if row and row[0] != profile_id:
        raise ProfileNameTaken(f"A profile named “{name}” exists already: pick another name, or edit that one.")


def create_profile(
    db: sqlite_utils.Database,
    *,
    actor: str,
    name: str,
    values: dict[str, Any],
    documents: dict[str, list[ProfileDocument]] | None = None,
    details: dict[str, Any] | None = None,
) -> Profile:
    """A new profile, audited as `profile.create`; ProfileNameTaken when the name is in use."""
    name = name.strip()
    at = now_iso()
    profile = Profile(
        id=secrets.token_hex(6), name=name, values=values, documents=documents or {}, updated_by=actor, updated_at=at
    )
    with write(db):
        _check_name(db, name, None)
        db.table("profiles").insert(
            {
                "id": profile.id,
                "name": name,
                "name_key": _name_key(name),
                "profile_values": json.dumps(values),
                "documents": json.dumps(documents_to_json(profile.documents)),
                "created_by": actor,
                "created_at": at,
                "updated_by": actor,
                "updated_at": at,
            }
        )
        record_audit(
            db,
            actor=actor,
            action="profile.create",
            target=name,
            provider=PROVIDER,
            details={"profileId": profile.id, **(details or {})},
            after=_audited(profile),
        )
    return profile


def update_profile(
    db: sqlite_utils.Database,
    profile_id: str,
    *,
    actor: str,
    name: str,
    values: dict[str, Any],
    documents: dict[str, list[ProfileDocument]],
    details: dict[str, Any] | None = None,
) -> Profile:
    """The profile with its new name, values and documents, audited as `profile.update` (before and
    after); ProfileGone when it was deleted, ProfileNameTaken when another has the name."""
    name = name.strip()
    at = now_iso()
    with write(db):
        before = get_profile(db, profile_id)
        if before is None:
            raise ProfileGone("This profile was deleted meanwhile: nothing was changed.")
        _check_name(db, name, profile_id)
        after = Profile(profile_id, name, values, documents, updated_by=actor, updated_at=at)
        db.table("profiles").update(
            profile_id,
            {
                "name": name,
                "name_key": _name_key(name),
                "profile_values": json.dumps(values),
                "documents": json.dumps(documents_to_json(documents)),
                "updated_by": actor,
                "updated_at": at,
            },
        )
        record_audit(
            db,
            actor=actor,
            action="profile.update",
            target=name,
            provider=PROVIDER,
            details={"profileId": profile_id, **(details or {})},
            before=_audited(before),
            after=_audited(after),
        )
    return after


def delete_profile(db: sqlite_utils.Database, profile_id: str, *, actor: str) -> Profile | None:
    """Delete it, audited as `profile.delete` with what it held; None when it was gone already."""
    with write(db):
        before = get_profile(db, profile_id)
        if before is None:
            return None
        db.execute("DELETE FROM profiles WHERE id = ?", [profile_id])
        record_audit(
            db,
            actor=actor,
            action="profile.delete",
            target=before.name,
            provider=PROVIDER,
            details={"profileId": profile_id},
            before=_audited(before),
        )
    return before
