"""The App Home tab: "My requests", like the provider's web interface, for every provider.

Requests are grouped by status group with the ones waiting on the requester first, newest first
within a group, a page at a time so that any number of requests stays within Slack's 100 blocks.
Admins can switch to everyone's requests. Pure: the listener loads the requests and publishes.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import field_validator

from bot.domain.statuses import StatusGroup, describe_status
from bot.slack.messages import country_name, kind_title, request_buttons
from bot.slack.mrkdwn import escape, escape_truncated, mrkdwn_text, plain_text
from bot.slack.view_metadata import ViewMetadata
from bot.store.requests import RequestRecord

PAGE_SIZE = 20
NEW_REQUEST_ACTION = "home_new_request"
SCOPE_ACTION = "home_scope"
FILTER_ACTION = "home_filter"
PAGE_ACTION = "home_page"
ALL_GROUPS = "all"

# Action required first: that is what the person has to do something about.
GROUP_ORDER = [
    StatusGroup.ACTION_REQUIRED,
    StatusGroup.PENDING,
    StatusGroup.COMPLETED,
    StatusGroup.REJECTED,
    StatusGroup.CANCELED,
]
PROVIDER_NAMES = {"infobip": "Infobip", "cm": "CM.com"}


class HomeState(ViewMetadata):
    """What a person's Home tab shows; kept in its private_metadata and in the store (bot/store/home_views.py
    looks for `"scope":"all"` in it). Lenient: what can't be read shows the default."""

    lenient: ClassVar[bool] = True

    scope: Literal["mine", "all"] = "mine"
    group: str = ALL_GROUPS
    page: int = 0

    @field_validator("group")
    @classmethod
    def _known_group(cls, value: str) -> str:
        """A filter that is not a group (any more) shows everything rather than nothing."""
        return value if value == ALL_GROUPS or value in StatusGroup.__members__ else ALL_GROUPS


def ordered(requests: list[RequestRecord], group: str = ALL_GROUPS) -> list[RequestRecord]:
    """The requests to show, in display order: by group (action required first), newest first."""
    chosen = [r for r in requests if group == ALL_GROUPS or describe_status(r.status, r.provider).group.name == group]
    chosen.sort(key=lambda r: r.created_at, reverse=True)
    chosen.sort(key=lambda r: GROUP_ORDER.index(describe_status(r.status, r.provider).group))
    return chosen


def _when(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else "—"


def request_summary(request: RequestRecord) -> str:
    """Two lines of mrkdwn: what the request is, and where it stands."""
    status = describe_status(request.status, request.provider)
    what = request.sender_name or " ".join(
        filter(
            None,
            [
                f"{request.quantity} ×" if request.quantity else None,
                (request.number_type or "numbers").replace("_", " ").lower(),
                "/".join(request.capabilities) or None,
            ],
        )
    )
    thread = f" · <{request.permalink}|Open thread>" if request.permalink else ""
    return (
        f"*{escape(kind_title(request.kind))}* · {escape(country_name(request.country))} · "
        f"{escape_truncated(what, 200)}\n"
        f"{escape(status.badge)} · {PROVIDER_NAMES.get(request.provider, escape(request.provider))} · "
        f"`{request.id}` · submitted {_when(request.created_at)[:10]} · last change {_when(request.updated_at)}"
        f"{thread}"
    )


def _toolbar(state: HomeState, is_admin: bool) -> dict[str, Any]:
    groups = [(ALL_GROUPS, "All statuses")] + [(g.name, g.value) for g in GROUP_ORDER]
    options = [{"text": plain_text(label, 75), "value": value} for value, label in groups]
    elements: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": NEW_REQUEST_ACTION,
            "style": "primary",
            "text": plain_text("New request", 75),
            "value": "new",
        },
        {
            "type": "static_select",
            "action_id": FILTER_ACTION,
            "options": options,
            "initial_option": next((o for o in options if o["value"] == state.group), options[0]),
        },
    ]
    if is_admin:
        other = "mine" if state.scope == "all" else "all"
        elements.append(
            {
                "type": "button",
                "action_id": SCOPE_ACTION,
                "value": other,
                "text": plain_text("Show my requests" if other == "mine" else "Show all requests", 75),
            }
        )
    return {"type": "actions", "block_id": "home_toolbar", "elements": elements}


def _counts(requests: list[RequestRecord]) -> str:
    counts: dict[StatusGroup, int] = {}
    for request in requests:
        group = describe_status(request.status, request.provider).group
        counts[group] = counts.get(group, 0) + 1
    parts = [f"{count} {group.value.lower()}" for group in GROUP_ORDER if (count := counts.get(group))]
    return " · ".join(parts) or "nothing yet"


def home_view(
    requests: list[RequestRecord],
    state: HomeState,
    *,
    is_admin: bool,
    spend: list[dict[str, Any]] | None = None,
    to_decide: list[dict[str, Any]] | None = None,
    waiting: list[dict[str, Any]] | None = None,
    notice: str | None = None,
) -> dict[str, Any]:
    """The Home tab for `requests` (already limited to what the user may see); `spend`: the Spend
    section's blocks, for admins and number managers, after the requests (a page of requests
    takes at most ~50 blocks, the section ~20: within the tab's 100). `to_decide`: an approver's
    "To decide" section, first; `waiting`: the person's purchases waiting for approval, the first
    group of their requests (each a few blocks at most, bot/slack/approvals/listing.py); `notice`:
    the outcome of what they just clicked, on top (mrkdwn-safe)."""
    title = "All requests" if state.scope == "all" else "My requests"
    shown = ordered(requests, state.group)
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = min(max(state.page, 0), pages - 1)
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn_text(notice)}] if notice else []
    blocks += to_decide or []
    blocks += [
        {"type": "header", "text": plain_text(title, 150)},
        _toolbar(state, is_admin),
        {"type": "context", "elements": [mrkdwn_text(_counts(requests))]},
    ]
    blocks += waiting or []
    if not shown:
        empty = (
            "No requests yet. Type `/resource` in any channel, or use *New request*, to request a sender ID or numbers."
            if state.group == ALL_GROUPS
            else "No requests with this status."
        )
        blocks.append({"type": "section", "text": mrkdwn_text(empty)})
    group = None
    for request in shown[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]:
        request_group = describe_status(request.status, request.provider).group
        if request_group != group:
            group = request_group
            blocks.append(
                {
                    "type": "section",
                    "text": mrkdwn_text(f"*{describe_status(request.status, request.provider).emoji} {group.value}*"),
                }
            )
        blocks.append({"type": "section", "text": mrkdwn_text(request_summary(request))})
        buttons = request_buttons(request)
        if buttons:
            blocks.append(buttons)
    if pages > 1:
        paging = [
            {
                "type": "button",
                "action_id": f"{PAGE_ACTION}:{target}",
                "value": str(target),
                "text": plain_text(label, 75),
            }
            for target, label in ((page - 1, "◀ Newer"), (page + 1, "Older ▶"))
            if 0 <= target < pages
        ]
        blocks.append({"type": "context", "elements": [mrkdwn_text(f"Page {page + 1} of {pages}")]})
        blocks.append({"type": "actions", "block_id": "home_paging", "elements": paging})
    blocks += spend or []
    return {"type": "home", "private_metadata": state.model_copy(update={"page": page}).dump(), "blocks": blocks}
