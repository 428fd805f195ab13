"""The Web API methods the bot uses, with Slack's response shapes and error names.

Each handler takes the stand-in and the call's arguments (already merged from query, form and
JSON) and returns the `{"ok": true, ...}` body, or raises SlackError. They run under the
stand-in's lock, so they may touch its state directly.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from bot.sandbox.slack import blocks as bk
from bot.sandbox.slack.web_api import SlackError, SlackStandIn


def _json_arg(args: dict, name: str, error: str) -> Any:
    """Slack takes blocks/view/attachments as JSON strings in forms, or as JSON values."""
    value = args.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise SlackError(error, messages=[bk.error("failed to parse json", f"/{name}")]) from None
    return value


def _content(args: dict) -> tuple[str | None, list | None, list | None]:
    """(text, blocks, attachments) of a message, checked as chat.postMessage checks them."""
    text = args.get("text")
    blocks = _json_arg(args, "blocks", "invalid_blocks_format")
    attachments = _json_arg(args, "attachments", "invalid_attachments")
    if not text and not blocks and not attachments:
        raise SlackError("no_text")
    if text is not None and not isinstance(text, str):
        text = str(text)
    if text and len(text) > bk.MAX_MESSAGE_TEXT:
        raise SlackError("msg_too_long")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise SlackError("invalid_blocks_format")
        problems = bk.check_blocks(blocks, "/blocks", bk.MAX_MESSAGE_BLOCKS)
        if problems:
            raise SlackError("invalid_blocks", errors=problems, messages=problems)
        bk.fill_ids(blocks)
    return text, blocks, attachments


def _required(args: dict, *names: str) -> None:
    missing = [n for n in names if not args.get(n)]
    if missing:
        raise SlackError("invalid_arguments", messages=[bk.error(f"missing required field: {n}", "/") for n in missing])


def _user(s: SlackStandIn, user_id: Any) -> dict:
    user = s._users.get(user_id) if isinstance(user_id, str) else None
    if user is None:
        raise SlackError("user_not_found")
    return user


# ---- auth, users, conversations, files ----------------------------------------------------


def auth_test(s: SlackStandIn, args: dict) -> dict:
    c = s.config
    return {
        "ok": True,
        "url": f"https://{c.team_domain}.slack.com/",
        "team": c.team_name,
        "user": c.bot_name,
        "team_id": c.team_id,
        "user_id": c.bot_user_id,
        "bot_id": c.bot_id,
        "is_enterprise_install": False,
    }


def users_info(s: SlackStandIn, args: dict) -> dict:
    return {"ok": True, "user": _user(s, args.get("user"))}


def conversations_open(s: SlackStandIn, args: dict) -> dict:
    if args.get("channel"):
        return {"ok": True, "channel": {"id": s.resolve_channel(args["channel"])}}
    users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
    if not users:
        raise SlackError("users_list_not_supplied")
    if len(users) > 1:  # group DMs are not needed by the bot, so the stand-in has none
        raise SlackError("invalid_arguments", messages=[bk.error("the stand-in opens 1:1 DMs only", "/users")])
    _user(s, users[0])
    existed = any(ch["is_im"] and ch.get("user") == users[0] for ch in s._channels.values())
    channel_id = s.dm_channel(users[0])
    channel: dict[str, Any] = {"id": channel_id}
    if str(args.get("return_im")).lower() in ("true", "1"):
        channel.update(
            {
                "created": 0,
                "is_im": True,
                "is_org_shared": False,
                "user": users[0],
                "last_read": "0000000000.000000",
                "latest": None,
                "unread_count": 0,
                "unread_count_display": 0,
                "is_open": True,
                "priority": 0,
            }
        )
    body: dict[str, Any] = {"ok": True, "channel": channel}
    if existed:
        body.update({"no_op": True, "already_open": True})
    return body


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def _page(s: SlackStandIn, args: dict, messages: list[dict]) -> dict:
    """A cursor-paged answer of messages between `oldest` and `latest` (exclusive unless
    `inclusive`), with metadata only when `include_all_metadata` is set, as Slack answers."""

    def bound(name: str, default: float) -> float:
        try:
            return float(args.get(name) or default)
        except (TypeError, ValueError):
            raise SlackError("invalid_ts_" + name) from None

    oldest, latest = bound("oldest", 0.0), bound("latest", float("inf"))
    inclusive = _truthy(args.get("inclusive"))
    kept = [
        m for m in messages if (oldest <= float(m["ts"]) <= latest if inclusive else oldest < float(m["ts"]) < latest)
    ]
    try:
        limit = max(1, min(int(args.get("limit") or 100), 999))
        start = int(args.get("cursor") or 0)
    except (TypeError, ValueError):
        raise SlackError("invalid_cursor") from None
    chunk = copy.deepcopy(kept[start : start + limit])
    if not _truthy(args.get("include_all_metadata")):
        for message in chunk:
            message.pop("metadata", None)
    more = start + limit < len(kept)
    return {
        "ok": True,
        "messages": chunk,
        "has_more": more,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }


def conversations_history(s: SlackStandIn, args: dict) -> dict:
    """Top-level messages, newest first (replies stay in their threads)."""
    channel = s.resolve_channel(args.get("channel"))
    top = [m for m in s._messages.get(channel, []) if m.get("thread_ts", m["ts"]) == m["ts"]]
    return {**_page(s, args, list(reversed(top))), "pin_count": 0}


def conversations_replies(s: SlackStandIn, args: dict) -> dict:
    """A thread: its root, then its replies oldest first."""
    channel = s.resolve_channel(args.get("channel"))
    root = s._find_message(channel, str(args.get("ts") or ""))
    if root is None:
        raise SlackError("thread_not_found")
    ts = root.get("thread_ts", root["ts"])
    thread = [m for m in s._messages.get(channel, []) if m["ts"] == ts or m.get("thread_ts") == ts]
    return _page(s, args, thread)


def files_info(s: SlackStandIn, args: dict) -> dict:
    entry = s._files.get(args.get("file"))
    if entry is None:
        raise SlackError("file_not_found")
    return {"ok": True, "file": entry[0], "comments": [], "response_metadata": {"next_cursor": ""}}


# ---- chat ------------------------------------------------------------------------------


def chat_post_message(s: SlackStandIn, args: dict) -> dict:
    channel = s.resolve_channel(args.get("channel"))
    s._check_rate(channel)
    text, blocks, attachments = _content(args)
    thread_ts = args.get("thread_ts") or None
    message = s._post(
        channel,
        text or "",
        blocks,
        thread_ts,
        {"attachments": attachments, "metadata": _json_arg(args, "metadata", "invalid_metadata_format")},
    )
    return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}


def chat_update(s: SlackStandIn, args: dict) -> dict:
    channel = s.resolve_channel(args.get("channel"))
    ts = args.get("ts")
    if not ts or s._find_message(channel, ts) is None:
        raise SlackError("message_not_found")
    text, blocks, attachments = _content(args)
    message = s._edit(channel, ts, {"text": text, "blocks": blocks, "attachments": attachments})
    return {"ok": True, "channel": channel, "ts": ts, "text": message["text"], "message": message}


def chat_delete(s: SlackStandIn, args: dict) -> dict:
    channel = s.resolve_channel(args.get("channel"))
    s._delete(channel, args.get("ts", ""))
    return {"ok": True, "channel": channel, "ts": args.get("ts")}


def chat_post_ephemeral(s: SlackStandIn, args: dict) -> dict:
    channel = s.resolve_channel(args.get("channel"))
    user = _user(s, args.get("user"))
    text, blocks, _ = _content(args)
    message = s._post_ephemeral(channel, user["id"], text or "", blocks, args.get("thread_ts"), "chat.postEphemeral")
    return {"ok": True, "message_ts": message["ts"]}


def chat_get_permalink(s: SlackStandIn, args: dict) -> dict:
    channel = s.resolve_channel(args.get("channel"))
    message = s._find_message(channel, args.get("message_ts", ""))
    if message is None:
        raise SlackError("message_not_found")
    link = f"https://{s.config.team_domain}.slack.com/archives/{channel}/p{message['ts'].replace('.', '')}"
    if message.get("thread_ts") and message["thread_ts"] != message["ts"]:
        link += f"?thread_ts={message['thread_ts']}&cid={channel}"
    return {"ok": True, "channel": channel, "permalink": link}


# ---- views -----------------------------------------------------------------------------


def _view_arg(args: dict, kinds: tuple[str, ...]) -> dict:
    view = _json_arg(args, "view", "invalid_arguments")
    problems = bk.check_view(view, kinds=kinds)
    if problems:
        raise SlackError("invalid_arguments", messages=problems)
    return view


def _trigger_arg(args: dict) -> Any:
    trigger = args.get("trigger_id") or args.get("interactivity_pointer")
    if not trigger:
        raise SlackError("invalid_arguments", messages=[bk.error("missing required field: trigger_id", "/")])
    return trigger


def views_open(s: SlackStandIn, args: dict) -> dict:
    spec = _view_arg(args, ("modal",))
    user = s._exchange_trigger(_trigger_arg(args))
    view = s._store_view(spec, user)
    s._stacks[user] = [view["id"]]  # a new modal replaces whatever the user had open
    return {"ok": True, "view": view}


def views_push(s: SlackStandIn, args: dict) -> dict:
    spec = _view_arg(args, ("modal",))
    trigger = _trigger_arg(args)
    pending = s._triggers.get(trigger)
    stack = s._stacks.setdefault(pending.user, []) if pending else []
    if len(stack) >= bk.MAX_STACKED_VIEWS:
        raise SlackError("push_limit_reached")
    user = s._exchange_trigger(trigger)
    view = s._store_view(spec, user, over=stack)
    stack.append(view["id"])
    return {"ok": True, "view": view}


def views_update(s: SlackStandIn, args: dict) -> dict:
    view_id, external_id = args.get("view_id"), args.get("external_id")
    if bool(view_id) == bool(external_id):
        raise SlackError(
            "invalid_arguments", messages=[bk.error("exactly one of view_id or external_id is required", "/")]
        )
    if external_id:
        view_id = next((v["id"] for v in s._views.values() if v["external_id"] == external_id), None)
    old = s._views.get(view_id)
    user = s._view_user.get(view_id or "")
    # A modal the user has closed can no longer be updated.
    if old is None or (old["type"] == "modal" and view_id not in s._stacks.get(user or "", [])):
        raise SlackError("not_found")
    if args.get("hash") and args["hash"] != old["hash"]:
        raise SlackError("hash_conflict")
    spec = _view_arg(args, (old["type"],))
    view = s._store_view(spec, user or "", view_id=view_id)
    return {"ok": True, "view": view}


def views_publish(s: SlackStandIn, args: dict) -> dict:
    user = _user(s, args.get("user_id"))["id"]
    spec = _view_arg(args, ("home",))
    old_id = s._homes.get(user)
    if args.get("hash") and old_id and args["hash"] != s._views[old_id]["hash"]:
        raise SlackError("hash_conflict")
    view = s._store_view(spec, user, view_id=old_id)
    s._homes[user] = view["id"]
    return {"ok": True, "view": view}


def usergroups_users_list(s: SlackStandIn, args: dict) -> dict:
    """As Slack documents it: `usergroup` required; `{"users": [ids]}`; `no_such_subteam` for an
    unknown group; `missing_scope` (needed `usergroups:read`) when the app was not granted it."""
    if "usergroups:read" not in s.config.bot_scopes:
        raise SlackError("missing_scope", needed="usergroups:read", provided=",".join(s.config.bot_scopes))
    group = args.get("usergroup")
    if not group:
        raise SlackError("invalid_arguments", messages=[bk.error("missing required field: usergroup", "/usergroup")])
    members = s._usergroups.get(str(group))
    if members is None:
        raise SlackError("no_such_subteam")
    return {"ok": True, "users": list(members)}


METHODS: dict[str, Callable[[SlackStandIn, dict], dict]] = {
    "auth.test": auth_test,
    "users.info": users_info,
    "conversations.open": conversations_open,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
    "files.info": files_info,
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.getPermalink": chat_get_permalink,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
    "usergroups.users.list": usergroups_users_list,
}
