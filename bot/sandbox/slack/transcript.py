"""Render what the stand-in holds as plain text a person would read (used by `resourcebot demo`).

Mrkdwn stays readable: *bold* and _italic_ marks are kept, mentions and links become names and
labels, entities are unescaped. Buttons show as [Label], selects as [Label v].
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from bot.sandbox.slack.web_api import SlackStandIn

Names = Callable[[str], str]

_ANGLE = re.compile(r"<([^<>]+)>")


def _plain(names: Names | None, value: str) -> str:
    return names(value) if names else value


def mrkdwn_to_text(text: str, names: Names | None = None) -> str:
    """Slack mrkdwn as read on screen: `<@U1>` → @alice, `<url|label>` → label (url), `&lt;` → <."""

    def angle(match: re.Match) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label or _plain(names, target[1:]))
        if target.startswith("#"):
            return "#" + (label or _plain(names, target[1:]))
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!date^"):
            return label or target
        if target.startswith("!"):
            return "@" + target[1:]
        return f"{label} ({target})" if label and label != target else target

    text = _ANGLE.sub(angle, text or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(obj: object, names: Names | None) -> str:
    if isinstance(obj, dict):
        value = obj.get("text", "")
        return mrkdwn_to_text(value, names) if obj.get("type") == "mrkdwn" else value
    return str(obj or "")


def _element(element: dict, names: Names | None) -> str:
    kind = element.get("type", "")
    if kind == "button":
        return f"[{_text(element.get('text'), names)}]"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    if kind in ("plain_text", "mrkdwn"):
        return _text(element, names)
    if kind == "overflow":
        return "[...]"
    if kind == "datepicker":
        return f"[{element.get('initial_date') or _text(element.get('placeholder'), names) or 'date'} v]"
    if kind == "checkboxes" or kind == "radio_buttons":
        return "  ".join(f"( ) {_text(o.get('text'), names)}" for o in element.get("options", []))
    if "select" in kind:
        initial = element.get("initial_option")
        label = _text(initial["text"], names) if initial else _text(element.get("placeholder"), names)
        return f"[{label or 'Select'} v]"
    if kind.endswith("_input"):
        return element.get("initial_value") or "________"
    return f"[{kind}]"


def _rich_text(block: dict) -> str:
    parts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("text", "link", "emoji", "user", "channel"):
                parts.append(
                    node.get("text")
                    or node.get("url")
                    or node.get("name")
                    or node.get("user_id")
                    or node.get("channel_id")
                    or ""
                )
            for child in node.get("elements", []):
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(block.get("elements", []))
    return "".join(parts)


def render_blocks(blocks: list[dict], names: Names | None = None) -> list[str]:
    """One or more text lines per block."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = _text(block.get("text"), names)
            lines += [title, "=" * len(title)]
        elif kind == "section":
            if "text" in block:
                lines += _text(block["text"], names).splitlines() or [""]
            for field in block.get("fields", []):
                lines.append("  " + " ".join(_text(field, names).split("\n")))
            if "accessory" in block:
                lines.append("  " + _element(block["accessory"], names))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "context":
            lines.append("  " + " | ".join(_element(e, names) for e in block.get("elements", [])))
        elif kind == "actions":
            lines.append(" ".join(_element(e, names) for e in block.get("elements", [])))
        elif kind == "input":
            optional = " (optional)" if block.get("optional") else ""
            lines.append(f"{_text(block.get('label'), names)}{optional}: {_element(block.get('element', {}), names)}")
            if "hint" in block:
                lines.append("  " + _text(block["hint"], names))
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
        elif kind == "rich_text":
            lines += _rich_text(block).splitlines()
        elif kind == "markdown":
            lines += str(block.get("text", "")).splitlines()
        else:
            lines.append(f"[{kind}]")
    return lines


def render_message(message: dict, names: Names | None = None) -> list[str]:
    """The lines a person sees for one message: its blocks, else its text, then attachments."""
    lines = (
        render_blocks(message["blocks"], names)
        if message.get("blocks")
        else mrkdwn_to_text(message.get("text", ""), names).splitlines()
    )
    for attachment in message.get("attachments") or []:
        if attachment.get("blocks"):
            lines += ["| " + line for line in render_blocks(attachment["blocks"], names)]
        for key in ("pretext", "title", "text"):
            if attachment.get(key):
                lines += ["| " + line for line in mrkdwn_to_text(attachment[key], names).splitlines()]
    return lines


def _clock(ts: str) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(float(ts)))


def render_thread(standin: SlackStandIn, channel: str, ts: str, *, ephemeral_for: str | None = None) -> str:
    """A thread as text: the root as currently shown, then the replies in order. With
    ephemeral_for=user, that user's ephemeral replies in the thread are shown too."""
    names = standin.user_name
    items = standin.thread(channel, ts)
    if not items:
        return f"(no message {ts} in {channel})"
    if ephemeral_for:
        items += [m for m in standin.ephemeral(channel, ephemeral_for) if m.get("thread_ts") == ts]
        items = [items[0], *sorted(items[1:], key=lambda m: m["ts"])]
    title = f"#{standin.channel_name(channel)}, thread {ts}"
    out = [title, "~" * len(title)]
    for index, message in enumerate(items):
        author = names(message.get("from") or message.get("user", ""))
        flags = " (edited)" if message.get("edited") else ""
        flags += " (only visible to you)" if message.get("from") else ""
        indent = "" if index == 0 else "    "
        arrow = "" if index == 0 else "  > "
        out.append(f"{arrow}{author}  {_clock(message['ts'])}{flags}")
        out += [f"{indent}  {line}".rstrip() for line in render_message(message, names)]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_view(view: dict, names: Names | None = None) -> str:
    """A modal or Home tab as text: title, blocks, then its Close/Submit buttons."""
    lines: list[str] = []
    if view.get("type") == "modal":
        title = _text(view.get("title"), names)
        lines += [f"[ {title} ]", ""]
    else:
        lines += ["[ Home ]", ""]
    lines += render_blocks(view.get("blocks", []), names)
    buttons = [f"[{_text(view[k], names)}]" for k in ("close", "submit") if view.get(k)]
    if buttons:
        lines += ["", " ".join(buttons)]
    return "\n".join(lines) + "\n"
