"""The Slack messages that report an intent's outcome: the channel notice of a change, and the DM
that tells a person how their change ended when recovery settled it after a crash or a lost
answer. Rendered when delivered, from the stored intent (the outbox holds only its key).

Each area's outcomes module says, per action, how its notice and its DM read
(`{"notice": intent → message or None, "dm": intent → mrkdwn}`); they are gathered here, in one
table. An action without a notice posts none; every action gets a DM (its own words, or plain ones).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.slack import request_forms
from bot.slack.messages import section_message
from bot.slack.mrkdwn import escape
from bot.slack.numbers import outcomes as number_outcomes
from bot.store.intents import Intent, IntentState

if TYPE_CHECKING:
    from bot.services import Services

Message = dict[str, Any]  # chat.postMessage arguments: text and blocks

RENDERERS: dict[str, dict[str, Any]] = {
    **number_outcomes.RENDERERS,
    **request_forms.RENDERERS,
}


def notice_channel(intent: Intent) -> str:
    """Where the notice goes: the channel (or the person's DM) chosen when the action was asked for."""
    return intent.context.get("notice_channel") or intent.actor


def notice(intent: Intent) -> Message | None:
    render = RENDERERS.get(intent.action, {}).get("notice")
    if render:
        return render(intent)
    text = intent.context.get("notice_text")  # worded when it was asked for (usecases/provisioning.py)
    return section_message(text) if text and intent.state == IntentState.DONE else None


def modal_view(services: Services, intent: Intent) -> dict[str, Any] | None:
    """The modal that asked for the change, as it should read now (None: the action has none)."""
    render = RENDERERS.get(intent.action, {}).get("view")
    return render(services, intent) if render else None


def settled_dm(intent: Intent) -> Message | None:
    """None when the action says its actor hears of it otherwise."""
    render = RENDERERS.get(intent.action, {}).get("dm")
    if render:
        text = render(intent)
        return section_message(text) if text else None
    if intent.state == IntentState.DONE:  # worded when it was asked for, where it has a modal
        done = intent.context.get("done_text") or f"`{escape(intent.target)}` is done."
        return section_message(f"Your change went through after all. {done}")
    return section_message(
        f":warning: Your change ({escape(intent.action)} of `{escape(intent.target)}`) did not "
        "go through: Infobip does not have it. Nothing was changed; you can make it again."
    )
