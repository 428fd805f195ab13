"""Slack text helpers: escaping user text for mrkdwn and fitting text into Slack's limits.

Anything a person typed (a field value, reviewer feedback, a company name) must go through
`escape` before it is put in mrkdwn, so `<!channel>` or `<@U123>` shows as text and pings no one.
"""

from __future__ import annotations

import re

from bot.domain.text import ELLIPSIS, truncate  # plain text is cut as the rules cut it (also imported from here)

# Slack Block Kit limits (characters), in one place so builders and tests agree.
LABEL_MAX = 2000
HINT_MAX = 2000
PLACEHOLDER_MAX = 150
HEADER_MAX = 150
SECTION_TEXT_MAX = 3000
CONTEXT_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000  # each of a section's fields
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
OPTION_GROUP_LABEL_MAX = 75
BLOCK_ID_MAX = 255
ACTION_ID_MAX = 255
TEXT_INPUT_LENGTH_MAX = 3000
PRIVATE_METADATA_MAX = 3000
MODAL_TITLE_MAX = 24
MODAL_BLOCKS_MAX = 100
MESSAGE_BLOCKS_MAX = 50

# A cut that lands inside "&amp;" would leave "&am", which Slack shows literally.
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")


def escape(text: str) -> str:
    """Escape `&`, `<` and `>` so Slack shows the text as typed: no links, mentions or pings."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_truncated(text: str, limit: int) -> str:
    """Escape for mrkdwn, then fit into `limit` without leaving half an entity at the cut."""
    return truncate_mrkdwn(escape(text), limit)


def truncate_mrkdwn(text: str, limit: int) -> str:
    """Like `truncate`, for text that is already mrkdwn: never ends in half an entity."""
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", text[: limit - 1]).rstrip() + ELLIPSIS


def plain_text(text: str, limit: int) -> dict[str, str]:
    """A Block Kit plain_text object, never empty and never over `limit`."""
    return {"type": "plain_text", "text": truncate(text or " ", limit)}


def mrkdwn_text(text: str, limit: int = SECTION_TEXT_MAX) -> dict[str, str]:
    """A Block Kit mrkdwn object from text that is already mrkdwn (escape user parts first)."""
    return {"type": "mrkdwn", "text": truncate_mrkdwn(text or " ", limit)}
