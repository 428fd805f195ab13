"""The App Home tab: the user's requests, newest first, each with its status badge."""

from __future__ import annotations

from bot.domain.mrkdwn import escape, mrkdwn_text, plain_text
from bot.domain.statuses import describe_status
from bot.slack.messages import country_name, kind_title, request_buttons
from bot.store.requests import RequestRecord

_MAX_BLOCKS = 100


def _request_blocks(request: RequestRecord) -> list[dict]:
    status = describe_status(request.status)
    what = request.sender_name or (request.number_type or "").replace("_", " ").lower()
    text = (f"*{escape(kind_title(request.kind))}* · {escape(country_name(request.country))} · {escape(what)}\n"
            f"{escape(status.badge)} · `{request.id}` · submitted {request.created_at[:10]}")
    blocks = [{"type": "section", "text": mrkdwn_text(text)}]
    buttons = request_buttons(request)
    if buttons:
        blocks.append(buttons)
    return blocks


def home_view(requests: list[RequestRecord]) -> dict:
    blocks: list[dict] = [{"type": "header", "text": plain_text("My requests", 150)}]
    if not requests:
        blocks.append({"type": "section", "text": mrkdwn_text(
            "No requests yet. Type `/resource` in any channel to request a sender ID or numbers.")})
    for request in requests:
        more = _request_blocks(request)
        if len(blocks) + len(more) + 1 > _MAX_BLOCKS:
            break
        blocks += [{"type": "divider"}, *more]
    return {"type": "home", "blocks": blocks}
