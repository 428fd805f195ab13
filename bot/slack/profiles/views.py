"""The company profiles' modals: the list (`/resource profiles`), the editor (create, edit, delete)
and the form that saves what a request sent as a profile. Pure builders; text passed as mrkdwn is
escaped here."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from bot.domain.profiles import NAME_MAX, VALUE_LINES_MAX, Profile, ProfileDocument, day_month, values_to_lines
from bot.slack.blocks import button, context, delete_button, input_block, section, text_input
from bot.slack.mrkdwn import escape, escape_truncated, plain_text, truncate
from bot.slack.view_metadata import ViewMetadata
from bot.slack.views import modal

LIST_VIEW = "profiles"
EDIT_VIEW = "profile_edit"
SAVE_VIEW = "profile_save"
NEW_ACTION = "profile_new"
EDIT_ACTION = "profile_edit"
DELETE_ACTION = "profile_delete"
NAME_BLOCK = "profile_name"
VALUES_BLOCK = "profile_values"
REMOVE_BLOCK = "profile_remove_documents"
UNTIL_BLOCK = "profile_valid_until"  # + "." + the document's place in `listed_documents`
NEW_UNTIL_BLOCK = "profile_new_documents_valid_until"
DOCUMENTS_SHOWN_MAX = 10  # checkboxes take 10 options


class ProfilesState(ViewMetadata):
    """Where a profiles modal is: the channel it was opened in, the list under it, and the profile
    it edits (None: a new one) as it was read (`version`: its updated_at), or the request it saves."""

    channel_id: str | None = Field(None, alias="ch")
    parent_view_id: str | None = Field(None, alias="pv")
    profile_id: str | None = Field(None, alias="p")
    version: str | None = Field(None, alias="v")
    request_id: str | None = Field(None, alias="r")
    source: str | None = Field(None, alias="src")  # the profile the saved request's form was filled from


def listed_documents(profile: Profile) -> list[tuple[str, ProfileDocument]]:
    """The profile's documents as the editor lists them: (requirement key, document), by key."""
    return [(key, doc) for key in sorted(profile.documents) for doc in profile.documents[key]][:DOCUMENTS_SHOWN_MAX]


def _banner(text: str | None) -> list[dict[str, Any]]:
    return [section(text, block_id="banner")] if text else []


def _document_text(doc: ProfileDocument, today: date) -> str:
    until = ""
    if doc.valid_until:
        until = (
            f", valid until {day_month(doc.valid_until, today)}"
            if doc.is_valid_on(today)
            else f", :warning: expired {day_month(doc.valid_until, today)}"
        )
    return f"{escape_truncated(doc.name, 200)} (uploaded {day_month(doc.uploaded_at, today)}{until})"


def _summary(profile: Profile, today: date) -> str:
    values = len(profile.values)
    parts = [f"{values} value{'s' if values != 1 else ''}"]
    docs = profile.document_count
    if docs:
        expired = profile.expired_count(today)
        parts.append(f"{docs} document{'s' if docs != 1 else ''}" + (f" ({expired} expired)" if expired else ""))
    if profile.updated_by:
        parts.append(f"changed by <@{escape(profile.updated_by)}> on {day_month(profile.updated_at, today)}")
    return " · ".join(parts)


def list_view(
    profiles: list[Profile], *, state: ProfilesState, managers: str, today: date, notice: str | None = None
) -> dict[str, Any]:
    """Every profile, with Edit; New on top. `managers`: who may change them (mrkdwn)."""
    blocks = _banner(notice)
    blocks += [
        context(
            "A company profile fills request forms: its values by requirement key, and its documents, "
            f"already at Infobip, without a second upload. Anyone can use one; {managers} can change them."
        ),
        {"type": "actions", "block_id": "profiles_actions", "elements": [button("➕ New profile", NEW_ACTION, "new")]},
        {"type": "divider"},
    ]
    if not profiles:
        blocks.append(section("_No profiles yet._ Create one here, or save one from a request you submitted."))
    for index, profile in enumerate(profiles[:40]):
        blocks.append(
            section(
                f"*{escape_truncated(profile.name, 200)}*\n{_summary(profile, today)}",
                accessory=button("Edit", EDIT_ACTION, profile.id),
                block_id=f"profile.{index}",
            )
        )
    if len(profiles) > 40:
        blocks.append(context(f"…and {len(profiles) - 40} more."))
    return modal("Company profiles", blocks, callback_id=LIST_VIEW, private_metadata=state)


def editor_view(
    state: ProfilesState,
    profile: Profile | None,
    *,
    today: date,
    error: str | None = None,
    name: str | None = None,
    lines: str | None = None,
) -> dict[str, Any]:
    """Create (no `profile`) or edit one: its name, its values as `key: value` lines, and for an
    existing one its documents (valid until, remove) and Delete behind a confirmation."""
    blocks = _banner(error)
    blocks.append(
        input_block(
            NAME_BLOCK,
            "Name",
            text_input(
                max_length=NAME_MAX, placeholder="e.g. Acme", initial=name or (profile.name if profile else None)
            ),
        )
    )
    initial_lines = lines if lines is not None else values_to_lines(profile.values) if profile else None
    blocks.append(
        input_block(
            VALUES_BLOCK,
            "Values",
            text_input(
                max_length=VALUE_LINES_MAX,
                multiline=True,
                placeholder="companyName: Acme d.o.o.",
                initial=initial_lines[:VALUE_LINES_MAX] if initial_lines else None,
            ),
            optional=True,
            hint="One “key: value” per line, the key being the requirement's key (companyName, vatNumber, "
            "companyWebsite…) or additionalContactEmails, applicationId, entityId. A key on several lines holds "
            "a list; a line break in a value is written \\n. Documents come from a request: save it as a profile "
            "from its confirmation.",
        )
    )
    listed = listed_documents(profile) if profile else []
    for index, (key, doc) in enumerate(listed):
        picker: dict[str, Any] = {"type": "datepicker", "action_id": "value"}
        if doc.valid_until:
            picker["initial_date"] = doc.valid_until
        blocks.append(
            input_block(
                f"{UNTIL_BLOCK}.{index}",
                truncate(f"Valid until: {doc.name} ({key})", 2000),
                picker,
                optional=True,
                hint=f"Uploaded {day_month(doc.uploaded_at, today)}, documentId {doc.document_id}. "
                "After this day forms ask for a new file instead.",
            )
        )
    if listed:
        options = [
            {"text": plain_text(truncate(f"{doc.name} ({key})", 75), 75), "value": str(index)}
            for index, (key, doc) in enumerate(listed)
        ]
        blocks.append(
            input_block(
                REMOVE_BLOCK,
                "Remove documents",
                {"type": "checkboxes", "action_id": "value", "options": options},
                optional=True,
            )
        )
    if profile is not None:
        blocks.append(
            {
                "type": "actions",
                "block_id": "delete",
                "elements": [
                    delete_button(
                        "Delete profile",
                        DELETE_ACTION,
                        profile.id,
                        question="Delete this profile?",
                        warning=f"Deleting “{truncate(profile.name, 60)}” removes its values and documents from the "
                        "bot; requests already sent keep theirs. Forms can't be filled from it any more.",
                    )
                ],
            }
        )
    title = "Edit profile" if profile else "New profile"
    return modal(
        title,
        blocks,
        callback_id=EDIT_VIEW,
        submit="Save" if profile else "Create",
        close="Back",
        private_metadata=state,
    )


def save_view(
    state: ProfilesState,
    *,
    target: Profile | None,
    name: str | None,
    values: int,
    documents: list[str],
    new_documents: bool,
) -> dict[str, Any]:
    """Save what a request sent as a new profile (a name asked), or into `target`."""
    what = f"{values} value{'s' if values != 1 else ''}"
    if documents:
        what += " and " + ", ".join(escape_truncated(d, 100) for d in documents[:5]) + " (their documentIds)"
    blocks: list[dict[str, Any]] = []
    if target is not None:
        blocks.append(
            section(
                f"Update profile *{escape_truncated(target.name, 200)}* with what request "
                f"`{escape(state.request_id or '')}` sent: {what}. Its other values stay."
            )
        )
    else:
        blocks.append(section(f"Save what request `{escape(state.request_id or '')}` sent as a profile: {what}."))
        blocks.append(input_block(NAME_BLOCK, "Profile name", text_input(max_length=NAME_MAX, initial=name)))
    if new_documents:
        blocks.append(
            input_block(
                NEW_UNTIL_BLOCK,
                "Its new documents are valid until",
                {"type": "datepicker", "action_id": "value"},
                optional=True,
                hint="After this day forms ask for a new file instead of reusing them. Leave empty: no end.",
            )
        )
    return modal(
        "Save as a profile" if target is None else "Update profile",
        blocks,
        callback_id=SAVE_VIEW,
        submit="Save",
        close="Back",
        private_metadata=state,
    )


def saved_view(text: str) -> dict[str, Any]:
    return modal("Company profiles", [section(text)], close="Close")
