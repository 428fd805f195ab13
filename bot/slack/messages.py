"""Block Kit for a request's thread: the root message (always the current state) and replies.

Pure functions of the stored request and event. Everything a person or a provider typed is
escaped before it goes into mrkdwn.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
import pycountry

from bot.domain.statuses import StatusGroup, can_cancel, can_update, describe_status
from bot.slack.mrkdwn import MESSAGE_BLOCKS_MAX, escape, escape_truncated, mrkdwn_text, plain_text
from bot.store.requests import RequestRecord

UPDATE_ACTION = "request_update"
CANCEL_ACTION = "request_cancel"

KIND_TITLES = {
    "ALPHANUMERIC_REGISTRATION": "Sender ID registration",
    "NUMBER_PURCHASE": "Number purchase",
    "RCS_SENDER_LAUNCH": "RCS sender launch",
    "CM_NUMBER_REQUEST": "CM.com number request",
}

# Keep the root message well inside Slack's 50 blocks and 3000 characters per section.
_MAX_FIELD_LINES = 25
_VALUE_MAX = 200


def country_name(code: str | None) -> str:
    if not code:
        return "—"
    country = pycountry.countries.get(alpha_2=code.upper())
    return f"{country.name} ({code.upper()})" if country else code.upper()


def kind_title(kind: str) -> str:
    return KIND_TITLES.get(kind, kind.replace("_", " ").title())


def _title(request: RequestRecord) -> str:
    return f"{kind_title(request.kind)} · {country_name(request.country)}"


def _what(request: RequestRecord) -> str:
    if request.sender_name:
        return f"sender *{escape(request.sender_name)}*"
    parts = [request.number_type.replace("_", " ").lower() if request.number_type else "numbers"]
    if request.capabilities:
        parts.append("/".join(request.capabilities))
    if request.quantity:
        parts.insert(0, f"{request.quantity} ×")
    return escape(" ".join(parts))


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return escape_truncated(str(value), _VALUE_MAX)


def _submitted_lines(request: RequestRecord) -> list[str]:
    labels: dict[str, str] = request.submitted.get("labels", {})
    lines = []
    for item in request.submitted.get("requirements", []):
        key = item["key"]
        if key in request.files:
            value = ", ".join(request.files[key])
            lines.append(f"• {escape(labels.get(key, key))}: 📎 {escape_truncated(value, _VALUE_MAX)}")
        else:
            lines.append(f"• {escape(labels.get(key, key))}: {_value_text(item['value'])}")
    for label, value in request.submitted.get("fields", []):  # providers without requirements (CM.com)
        lines.append(f"• {escape(label)}: {_value_text(value)}")
    carriers = request.submitted.get("excludedCarriers")  # RCS sender launch
    if carriers:
        lines.append(f"• Excluded carriers: {_value_text(carriers)}")
    emails = request.submitted.get("additionalContactEmails")
    if emails:
        lines.append(f"• Additional contacts: {_value_text(emails)}")
    if len(lines) > _MAX_FIELD_LINES:
        lines = lines[:_MAX_FIELD_LINES] + [f"…and {len(lines) - _MAX_FIELD_LINES} more"]
    return lines


def request_buttons(request: RequestRecord) -> dict | None:
    """Update / Cancel, only where the provider allows them (anyone sees them; the listener
    checks who clicks)."""
    buttons = []
    if can_update(request.status, request.provider):
        buttons.append(
            {
                "type": "button",
                "action_id": UPDATE_ACTION,
                "style": "primary",
                "text": plain_text("Update request", 75),
                "value": request.id,
            }
        )
    if can_cancel(request.status, request.provider):
        buttons.append(
            {
                "type": "button",
                "action_id": CANCEL_ACTION,
                "style": "danger",
                "text": plain_text("Cancel request", 75),
                "value": request.id,
                "confirm": {
                    "title": plain_text("Cancel this request?", 100),
                    # Slack shows a dialog's text as plain_text: no markup, no escaping.
                    "text": plain_text(
                        f"{_title(request)}, request {request.id}. "
                        "The provider stops processing it; this cannot be undone.",
                        300,
                    ),
                    "confirm": plain_text("Cancel request", 30),
                    "deny": plain_text("Keep it", 30),
                    "style": "danger",
                },
            }
        )
    return {"type": "actions", "block_id": f"request:{request.id}", "elements": buttons} if buttons else None


def root_message(request: RequestRecord) -> dict[str, Any]:
    """`text` + `blocks` for chat.postMessage / chat.update of the thread's root."""
    status = describe_status(request.status, request.provider)
    blocks: list[dict] = [
        {"type": "header", "text": plain_text(_title(request), 150)},
        {
            "type": "section",
            "fields": [
                mrkdwn_text(f"*Status*\n{escape(status.badge)}"),
                mrkdwn_text(f"*Requested by*\n<@{request.requester}>"),
                mrkdwn_text(f"*What*\n{_what(request)}"),
                mrkdwn_text(
                    f"*Request*\n`{request.id}`"
                    + (f" · {escape(request.provider_request_id)}" if request.provider_request_id else "")
                ),
            ],
        },
    ]
    lines = _submitted_lines(request)
    if lines:
        blocks.append({"type": "section", "text": mrkdwn_text("*Submitted*\n" + "\n".join(lines))})
    if request.numbers:
        blocks.append({"type": "section", "text": mrkdwn_text("*Numbers*\n" + _numbers_text(request.numbers))})
    if request.note:
        blocks.append({"type": "context", "elements": [mrkdwn_text(f"📝 {escape_truncated(request.note, 2900)}")]})
    buttons = request_buttons(request)
    if buttons:
        blocks.append(buttons)
    text = escape(f"{_title(request)}: {status.badge}")  # the notification shows it as mrkdwn too
    return {"text": text, "blocks": blocks[:MESSAGE_BLOCKS_MAX]}


def phone_display(number: str) -> str:
    """ "12013026595" → "+1 201-302-6595"; anything that doesn't parse is shown as given."""
    try:
        parsed = phonenumbers.parse(number if number.startswith("+") else f"+{number}")
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _numbers_text(numbers: list[dict[str, Any]]) -> str:
    lines = []
    for number in numbers:
        status = number.get("status")
        flag = f" ({escape(str(status))})" if status and status != "SUCCESS" else ""
        # Infobip names each number by a numberKey; CM.com has none, and "key ?" would look broken.
        key = f" · key `{escape(str(number['numberKey']))}`" if number.get("numberKey") else ""
        lines.append(f"• *{escape(phone_display(str(number.get('number', '?'))))}*{key}{flag}")
    return "\n".join(lines[:_MAX_FIELD_LINES])


def status_reply(
    request: RequestRecord, status: str, *, feedback: list[dict], note: str | None, numbers: list[dict]
) -> dict[str, Any]:
    """A thread reply telling what changed and, when the requester must act, what to do."""
    info = describe_status(status, request.provider)
    labels: dict[str, str] = request.submitted.get("labels", {})
    blocks: list[dict] = []
    if info.group.name == "ACTION_REQUIRED":
        who = "The reviewer" if status.endswith("INTERNAL_REVIEWER") else "Infobip"
        intro = f"<@{request.requester}> {who} asks for changes before the request can go on:"
        items = [
            f"• *{escape(labels.get(f.get('key', ''), f.get('key') or 'Request'))}*: "
            f"{escape_truncated(f.get('feedback') or f.get('code') or 'needs another look', 500)}"
            for f in feedback
        ]
        blocks.append({"type": "section", "text": mrkdwn_text("\n".join([intro, *items[:_MAX_FIELD_LINES]]))})
    elif info.group is StatusGroup.COMPLETED:
        text = f"{info.emoji} *{escape(info.label)}.*"
        if numbers:
            text += " Your numbers:\n" + _numbers_text(numbers)
        blocks.append({"type": "section", "text": mrkdwn_text(f"<@{request.requester}> {text}")})
    elif info.group in (StatusGroup.REJECTED, StatusGroup.CANCELED) and info.final:
        blocks.append(
            {"type": "section", "text": mrkdwn_text(f"<@{request.requester}> {info.emoji} *{escape(info.label)}.*")}
        )
    else:
        blocks.append({"type": "section", "text": mrkdwn_text(f"Status: *{escape(info.badge)}*")})
    if note:
        blocks.append({"type": "section", "text": mrkdwn_text(f"📝 {escape_truncated(note, 2900)}")})
    buttons = request_buttons(request) if request.status == status else None
    if buttons:
        blocks.append(buttons)
    return {"text": escape(info.badge), "blocks": blocks}


def reminder_reply(request: RequestRecord, days_until_rejection: int | None) -> dict[str, Any]:
    days = (
        f"{days_until_rejection} day{'s' if days_until_rejection != 1 else ''}"
        if days_until_rejection is not None
        else "a few days"
    )
    text = (
        f"⏰ <@{request.requester}> this request is waiting for your update. "
        f"It will be rejected automatically in {days} if nothing changes."
    )
    blocks = [{"type": "section", "text": mrkdwn_text(text)}]
    buttons = request_buttons(request)
    if buttons:
        blocks.append(buttons)
    return {"text": f"Reminder: {days} left to update request {request.id}", "blocks": blocks}


_ACTION_TEXT = {
    "updated": "✏️ <@{actor}> sent an update. Infobip is validating the request again.",
    "canceled": "🚫 <@{actor}> canceled the request.",
}


def action_reply(request: RequestRecord, action: str, actor: str) -> dict[str, Any]:
    """A thread reply for something a person did through the bot (update, cancel)."""
    text = _ACTION_TEXT.get(action, "<@{actor}> changed the request.").format(actor=actor)
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn_text(text)}]}


def not_submitted_message(request: RequestRecord) -> dict[str, Any]:
    """A DM: a submission whose answer was lost turned out not to have created anything."""
    text = (
        f"Your {kind_title(request.kind).lower()} request for {_what(request)} in "
        f"{escape(country_name(request.country))} (`{request.id}`) did not reach Infobip: Infobip did not "
        "answer when it was sent, and no such request has shown up since. Nothing was created and nothing "
        "will be charged. You can submit it again with `/resource`."
    )
    return {
        "text": f"Request {request.id} was not submitted: you can submit it again",
        "blocks": [{"type": "section", "text": mrkdwn_text(f":warning: {text}")}],
    }


def section_message(text: str) -> dict[str, Any]:
    """A message of one mrkdwn section (text already escaped), its text also the notification's."""
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn_text(text)}]}
