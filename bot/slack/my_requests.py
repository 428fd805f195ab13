"""`/resource list` and `/resource status <id>`: the Home tab's information, as ephemeral replies."""

from __future__ import annotations

from typing import Any

from bot.domain.commands import ListRequests, ShowRequest
from bot.domain.statuses import StatusGroup
from bot.slack.home import ordered, request_summary
from bot.slack.messages import request_buttons, root_message
from bot.slack.mrkdwn import MESSAGE_BLOCKS_MAX, escape, mrkdwn_text
from bot.store.requests import RequestRecord

_LIST_MAX = 20  # an ephemeral message is for a glance; the Home tab pages through the rest


def list_answer(requests: list[RequestRecord], command: ListRequests) -> dict[str, Any]:
    shown = ordered(requests, command.group or "all")
    whose = "Everyone's requests" if command.everyone else "Your requests"
    group = f" ({StatusGroup[command.group].value.lower()})" if command.group else ""
    if not shown:
        text = f"{whose}{group}: none. Type `/resource` to request a sender ID or numbers."
        return {"text": text, "blocks": [{"type": "section", "text": mrkdwn_text(text)}]}
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn_text(f"*{whose}{group}*")}]
    for request in shown[:_LIST_MAX]:
        blocks.append({"type": "section", "text": mrkdwn_text(request_summary(request))})
        buttons = request_buttons(request)
        if buttons:
            blocks.append(buttons)
    if len(shown) > _LIST_MAX:
        blocks.append(
            {
                "type": "context",
                "elements": [mrkdwn_text(f"…and {len(shown) - _LIST_MAX} more: the bot's Home tab lists them all.")],
            }
        )
    return {"text": f"{whose}{group}: {len(shown)}", "blocks": blocks[:MESSAGE_BLOCKS_MAX]}


def status_answer(request: RequestRecord | None, command: ShowRequest) -> dict[str, Any]:
    if request is None:
        text = f"There is no request `{escape(command.request_id)}`. `/resource list` shows yours."
        return {"text": text, "blocks": [{"type": "section", "text": mrkdwn_text(text)}]}
    message = root_message(request)
    if request.permalink:
        message["blocks"].append(
            {"type": "context", "elements": [mrkdwn_text(f"<{request.permalink}|Open the request's thread>")]}
        )
    return message
