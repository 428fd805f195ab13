"""Modal views: loading, errors, the launcher, request forms and their outcomes. Pure builders."""

from __future__ import annotations

from bot.domain.commands import CAPABILITIES, NUMBER_TYPES
from bot.slack.form_blocks import FormPage, form_title
from bot.slack.form_context import FormContext
from bot.slack.mrkdwn import MODAL_TITLE_MAX, escape, mrkdwn_text, plain_text
from bot.slack.view_metadata import Origin, ViewMetadata

REQUEST_FORM = "request_form"
LAUNCHER = "launcher"


def modal(
    title: str,
    blocks: list[dict],
    *,
    callback_id: str | None = None,
    submit: str | None = None,
    close: str = "Close",
    private_metadata: str | ViewMetadata = "",
) -> dict:
    """A modal view; every modal of the bot is built here (`private_metadata` as text, or a model to dump)."""
    view = {
        "type": "modal",
        "title": plain_text(title, MODAL_TITLE_MAX),
        "close": plain_text(close, MODAL_TITLE_MAX),
        "blocks": blocks,
    }
    if callback_id:
        view["callback_id"] = callback_id
    if submit:
        view["submit"] = plain_text(submit, MODAL_TITLE_MAX)
    if isinstance(private_metadata, ViewMetadata):
        private_metadata = private_metadata.dump()
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def loading_view(title: str, text: str) -> dict:
    return modal(title, [{"type": "section", "text": mrkdwn_text(f":hourglass_flowing_sand: {escape(text)}")}])


def message_view(title: str, headline: str, details: list[str] | None = None) -> dict:
    """A plain outcome or error: a headline and lines of explanation (already mrkdwn-safe)."""
    blocks = [{"type": "section", "text": mrkdwn_text(headline)}]
    if details:
        blocks.append({"type": "context", "elements": [mrkdwn_text("\n".join(details))]})
    return modal(title, blocks)


def form_view(context: FormContext, page: FormPage, *, error: str | None = None) -> dict:
    """One page of a request form; `error` (mrkdwn-safe) is shown above it, e.g. after the
    provider refused a submission, so the person can fix it without retyping anything."""
    blocks = list(page.blocks)
    if error:
        blocks.insert(0, {"type": "section", "text": mrkdwn_text(f":warning: {error}")})
    last = page.page + 1 >= page.page_count
    return modal(
        form_title(context),
        blocks,
        callback_id=REQUEST_FORM,
        submit=("Send update" if context.request_id else "Submit") if last else "Next",
        close="Cancel",
        private_metadata=context,
    )


# What the launcher offers: (value, label). Only choices whose feature is there are shown.
LAUNCHER_CHOICES = [
    ("sender", "Request an alphanumeric sender ID"),
    ("rcs", "Launch an RCS sender"),
    ("number", "Request numbers (with the country's requirements)"),
    ("numbers", "Browse numbers on offer and buy one"),
    ("my-numbers", "My numbers: application, routing, cancel"),
    ("associate", "Associate a resource with an application"),
    ("associations", "List or delete associations"),
    ("cm-number", "Request voice numbers from CM.com"),
    ("profiles", "Company profiles: fill request forms once"),
]


def launcher_view(channel_id: str | None = None, available: set[str] | None = None) -> dict:
    """For people who don't remember commands: pick what to do and, where it matters, the country.
    `channel_id` is where the command was used: threads and notices go there."""
    options = [
        {"text": plain_text(label, 75), "value": value}
        for value, label in LAUNCHER_CHOICES
        if available is None or value in available
    ]
    blocks = [
        {
            "type": "input",
            "block_id": "what",
            "label": plain_text("What do you need?", 2000),
            "element": {
                "type": "radio_buttons",
                "action_id": "value",
                "initial_option": options[0],
                "options": options,
            },
        },
        {
            "type": "input",
            "block_id": "country",
            "optional": True,
            "label": plain_text("Country", 2000),
            "hint": plain_text(
                "Two-letter code or name, e.g. HR, United Kingdom. Needed to request a sender ID "
                "(in several countries with one form: HR,RS,SI), an RCS sender or numbers, or to browse numbers.",
                2000,
            ),
            "element": {"type": "plain_text_input", "action_id": "value", "max_length": 60},
        },
        {
            "type": "input",
            "block_id": "number_type",
            "optional": True,
            "label": plain_text("Number type (requesting numbers)", 2000),
            "element": {
                "type": "static_select",
                "action_id": "value",
                "options": [{"text": plain_text(t.replace("_", " ").title(), 75), "value": t} for t in NUMBER_TYPES],
            },
        },
        {
            "type": "input",
            "block_id": "capabilities",
            "optional": True,
            "label": plain_text("Capabilities (numbers)", 2000),
            "element": {
                "type": "checkboxes",
                "action_id": "value",
                "options": [{"text": plain_text(c, 75), "value": c} for c in CAPABILITIES],
            },
        },
        {
            "type": "input",
            "block_id": "quantity",
            "optional": True,
            "label": plain_text("How many numbers (requesting numbers)", 2000),
            "element": {
                "type": "number_input",
                "action_id": "value",
                "is_decimal_allowed": False,
                "min_value": "1",
                "max_value": "49",
            },
        },
    ]
    return modal(
        "New request",
        blocks,
        callback_id=LAUNCHER,
        submit="Continue",
        private_metadata=Origin(channel_id=channel_id) if channel_id else "",
    )
