"""The OAuth scopes the bot needs, each with the reason: both manifests ask for exactly these
(a test holds them to it), and `resourcebot check` compares them with what the app was granted."""

from __future__ import annotations

BOT_SCOPES: dict[str, str] = {
    "commands": "/resource and the 'Request a resource' shortcut",
    "chat:write": "request threads, their root messages and notices",
    "chat:write.public": "threads in RESOURCEBOT_CHANNEL without joining it first",
    "channels:history": "after a crash mid-post, find the message before posting it again (public channels)",
    "groups:history": "the same in private channels",
    "im:history": "the same in direct messages",
    "mpim:history": "the same in group direct messages",
    "files:read": "documents attached in the request forms",
    "im:write": "reminders and outcomes by direct message",
    "usergroups:read": "the members of user groups named in RESOURCEBOT_APPROVERS",
}

# The app-level token (Socket Mode only) needs this one.
APP_TOKEN_SCOPE = "connections:write"


# Needed only when a setting uses them: an app installed before they existed keeps working
# until that setting is used (both manifests still ask for them).
ONLY_WHEN_USED = frozenset({"usergroups:read"})


def missing_scopes(granted: str | None, used: frozenset[str] = frozenset()) -> list[str]:
    """The needed scopes not in Slack's X-OAuth-Scopes header (comma-separated), in BOT_SCOPES
    order; of ONLY_WHEN_USED, those in `used`."""
    have = {scope.strip() for scope in (granted or "").split(",") if scope.strip()}
    return [s for s in BOT_SCOPES if s not in have and (s not in ONLY_WHEN_USED or s in used)]
