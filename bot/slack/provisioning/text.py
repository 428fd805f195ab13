"""How associations and inbound routing read in Slack: mrkdwn, with user and provider text escaped."""

from __future__ import annotations

from bot.domain.associations import CHANNEL_LABELS, RESOURCE_TYPES, AssociationFilter, AssociationKey
from bot.slack.mrkdwn import escape

# Precedence of inbound routing, as Infobip documents it.
PRECEDENCE_NOTE = (
    "*Which setting wins:* an inbound message that matches an inbound configuration (its keyword, "
    "or the configuration without a keyword, which catches every other message) goes to that "
    "configuration's application and entity. The number-level application and entity apply only "
    "when no matching configuration sets them."
)
RESET_WARNING = (
    "Deleting an application or an entity resets every resource linked to it to application `default` and no entity."
)


def resource_label(resource_type: str, resource_id: str, number: str | None = None) -> str:
    """The resource in mrkdwn: a number by its digits (and key), anything else by its id."""
    if resource_type == "NUMBER" and number:
        return f"+{escape(number)} (`{escape(resource_id)}`)"
    return f"`{escape(resource_id)}`"


def platform_text(application_id: str | None, entity_id: str | None) -> str:
    """ "application `shop`, entity `acme`" in mrkdwn; says so when one is not set."""
    application = f"application `{escape(application_id)}`" if application_id else "no application"
    entity = f"entity `{escape(entity_id)}`" if entity_id else "no entity"
    return f"{application}, {entity}"


def association_line(key: AssociationKey, number: str | None = None) -> str:
    """One row of the association list, in mrkdwn."""
    kind = RESOURCE_TYPES.get(key.resource_type, key.resource_type)
    channel = CHANNEL_LABELS.get(key.channel, key.channel)
    return (
        f"*{escape(kind)}* {resource_label(key.resource_type, key.resource_id, number)} · {escape(channel)}\n"
        f"→ {platform_text(key.application_id, key.entity_id)}"
    )


def filters_text(filters: AssociationFilter) -> str:
    """The filters set, in mrkdwn (e.g. "type `NUMBER` · app `shop`"); "" when there are none."""
    return escape(filters.describe())


def keyword_label(keyword: str | None) -> str:
    """A configuration's keyword in mrkdwn; no keyword catches every other message."""
    return f"keyword `{escape(keyword)}`" if keyword else "_every message without a matching keyword_"


def route_text(application_id: str | None, entity_id: str | None) -> str:
    """Where a configuration sends messages, in mrkdwn."""
    if not application_id and not entity_id:
        return "no application or entity of its own: the number level applies"
    return platform_text(application_id, entity_id)


def platform_change_text(before: tuple[str | None, str | None], after: tuple[str | None, str | None]) -> str:
    """ "application `a` → `b`, entity none → `acme`" in mrkdwn, naming only what changed."""
    parts = []
    for label, old, new in (("application", before[0], after[0]), ("entity", before[1], after[1])):
        if old != new:
            shown_old = f"`{escape(old)}`" if old else "none"
            shown_new = f"`{escape(new)}`" if new else "none"
            parts.append(f"{label} {shown_old} → {shown_new}")
    return ", ".join(parts) or "no change"
