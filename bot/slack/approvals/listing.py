"""What waits for a person's approval, or for their decision: `/resource approvals` (a modal) and
the App Home's "To decide" and "Waiting for approval" sections. The approvals are shown with the
approval message's own blocks and buttons (messages.py), so a decision here is the same decision
as in the message; the view the click came from is then shown again with its outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.domain.approvals import may_decide
from bot.domain.commands import Approvals
from bot.slack.approvals import messages as m
from bot.slack.approvals.approvers import current_approvers
from bot.slack.blocks import context, section
from bot.slack.mrkdwn import BLOCK_ID_MAX, escape, plain_text
from bot.slack.views import modal
from bot.store.approvals import Approval, waiting_approvals

if TYPE_CHECKING:
    from bot.services import Services
    from bot.slack.invocation import Invocation

APPROVALS_VIEW = "approvals"
TITLE = "Approvals"
TO_DECIDE = "To decide"
WAITING = "Waiting for approval"
# A modal holds 100 blocks: 4 per approval to decide, 1 per one of yours, and the headings.
MODAL_MAX = (15, 15)
# The Home tab shares its 100 with a page of requests (~50) and the Spend section (~20).
HOME_MAX = (3, 3)


@dataclass(frozen=True)
class Waiting:
    """What waits on `user`: approvals they may decide (never their own), and theirs, oldest first."""

    user: str
    to_decide: list[Approval]
    mine: list[Approval]

    def __bool__(self) -> bool:
        return bool(self.to_decide or self.mine)


async def waiting_for(services: Services, user: str) -> Waiting:
    waiting = waiting_approvals(services.db)
    approvers = await current_approvers(services) if waiting and services.settings.resourcebot_approvers else ()
    return Waiting(
        user,
        [a for a in waiting if may_decide(user, a.requester, approvers)],
        [a for a in waiting if a.requester == user],
    )


def link_for(approval: Approval, viewer: str) -> str | None:
    """A permalink to the approval's message: the viewer's own (their DM), the approval channel's,
    else where the change was announced."""
    posted = approval.messages
    where = str(approval.summary.get("where") or "")
    for recipient in (viewer, *sorted(r for r in posted if r[0] not in "UW"), where):
        if link := (posted.get(recipient) or {}).get("permalink"):
            return str(link)
    return None


def _more(count: int, shown: int) -> list[dict[str, Any]]:
    if count <= shown:
        return []
    return [context(f"…and {count - shown} more: `/resource approvals` lists them all.")]


def to_decide_blocks(waiting: Waiting, most: int = MODAL_MAX[0]) -> list[dict[str, Any]]:
    """The "To decide" section: each approval as its message shows it, with the buttons and a
    link to the message; nothing when nothing is to be decided."""
    if not waiting.to_decide:
        return []
    blocks = [{"type": "header", "text": plain_text(f"{TO_DECIDE} ({len(waiting.to_decide)})", 150)}]
    for approval in waiting.to_decide[:most]:
        block_id = f"decide:{approval.key}"[:BLOCK_ID_MAX]
        link = link_for(approval, waiting.user)
        blocks += m.approval_message(approval, buttons=True, block_id=block_id, link=link)["blocks"]
    return blocks + _more(len(waiting.to_decide), most)


def mine_blocks(waiting: Waiting, most: int = MODAL_MAX[1]) -> list[dict[str, Any]]:
    """The "Waiting for approval" group: one line each of the person's own; nothing when none waits."""
    if not waiting.mine:
        return []
    blocks = [section(f"*:hourglass_flowing_sand: {WAITING}*")]
    for approval in waiting.mine[:most]:
        link = link_for(approval, waiting.user)
        thread = f" · <{escape(link)}|Open the thread>" if link else ""
        noun = m.kind_text(approval).noun  # "purchase of", "number request for", …
        blocks.append(
            section(f"{noun[0].upper()}{noun[1:]} *{escape(approval.what)}*\n{m.decision_text(approval)}{thread}")
        )
    return blocks + _more(len(waiting.mine), most)


def approvals_view(waiting: Waiting, notice: str | None = None) -> dict[str, Any]:
    blocks = [section(notice)] if notice else []
    blocks += to_decide_blocks(waiting) + mine_blocks(waiting) or [
        section("Nothing waits for you: no purchase for you to decide, and none of yours waits for a decision.")
    ]
    return modal(TITLE, blocks, callback_id=APPROVALS_VIEW)


async def open_approvals(invocation: Invocation, command: Approvals) -> None:
    await invocation.show(approvals_view(await waiting_for(invocation.services, invocation.user)))
