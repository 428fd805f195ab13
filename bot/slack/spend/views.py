"""Block Kit for spend: the `/resource spend` modal and the Spend section of a Home tab, one
builder for both (the Home shows shorter lists). Pure: a report comes in, blocks go out; every
text from Infobip or a person is escaped.

The Cancel button of an unused number asks first, in a danger confirmation dialog (plain text, as
Slack shows it), then cancels through the number-cancel use case (bot/slack/spend/listeners.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.spend import Amounts, ChangeKind, CostLine, NumberChange, SpendSummary, UnusedNumber, two_decimals
from bot.slack import permissions
from bot.slack.blocks import context, section
from bot.slack.mrkdwn import FIELD_TEXT_MAX, escape, mrkdwn_text, plain_text, truncate
from bot.slack.spend.load import SpendReport
from bot.slack.view_metadata import Origin
from bot.slack.views import modal

SPEND_VIEW = "spend"
TITLE = "Spend"
UNUSED_HEADING = "Unused numbers"
CANCEL_ACTION = "spend_cancel_number"  # value: numberKey
REFRESH_ACTION = "spend_refresh"
OPEN_ACTION = "spend_open"  # on a Home tab: the whole report in a modal

UNUSED_RULE = (
    "Owned numbers that nothing uses: no resource association, no keyword (neither on the number nor "
    "in an inbound configuration; any inbound configuration counts as use) and on application "
    "`default` with no entity. Cancelling one stops its monthly charge."
)


@dataclass(frozen=True)
class Room:
    """How much of a report a surface shows: lines per list, unused numbers with a button."""

    lines: int
    unused: int


MODAL_ROOM = Room(lines=15, unused=40)  # a modal holds 100 blocks: at most ~55 here
HOME_ROOM = Room(lines=5, unused=5)  # the Home tab's requests take up to ~50 of its 100


def _button(text: str, action_id: str, value: str, **extra: Any) -> dict:
    return {"type": "button", "text": plain_text(text, 75), "action_id": action_id, "value": value, **extra}


def _numbers(count: int) -> str:
    return f"{count} number" if count == 1 else f"{count} numbers"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def _capped(lines: list[str], most: int, noun: str = "more") -> list[str]:
    if len(lines) <= most:
        return lines
    return [*lines[:most], f"• …and {len(lines) - most} {noun}"]


# ---- the parts of the report -------------------------------------------------------------------


def _cost_line(line: CostLine) -> str:
    text = f"• {escape(line.label)}: {_numbers(line.count)} · {escape(line.monthly.text())}"
    if line.unpriced:
        text += f" ({line.unpriced} without a price)"
    return text


def _breakdown_field(title: str, lines: tuple[CostLine, ...], room: Room) -> dict:
    rows = _capped([_cost_line(line) for line in lines], room.lines)
    return mrkdwn_text(f"*{title}*\n" + "\n".join(rows), FIELD_TEXT_MAX)


def _change_line(change: NumberChange) -> str:
    who = f"<@{escape(change.actor)}>"
    currency = escape(change.currency or "")
    monthly = f"{two_decimals(change.monthly)} {currency}".rstrip() if change.monthly is not None else None
    head = f"• {escape(change.shown)} · {_when(change.at)} · {who}"
    if change.kind == ChangeKind.PURCHASE:
        parts = []
        if change.charged is not None:
            parts.append(f"{two_decimals(change.charged)} {currency}".rstrip() + " at once")
        parts.append(f"{monthly} a month" if monthly else "monthly price not recorded")
        return f"{head}: " + ", then ".join(parts)
    return f"{head}: " + (f"{monthly} a month stopped" if monthly else "monthly price not recorded")


def _this_month(summary: SpendSummary, room: Room) -> list[dict]:
    month = escape(summary.month_name)
    if not summary.purchases and not summary.cancellations:
        return [section(f"*This month ({month})*\nNothing bought or cancelled through the bot yet.")]
    blocks = []
    if summary.purchases:
        head = (
            f"*Bought this month ({month}):* {_numbers(len(summary.purchases))} · "
            f"{escape(summary.charged_this_month.text())} charged at once · "
            f"{escape(summary.added_this_month.text())} a month more"
        )
        lines = _capped([_change_line(c) for c in summary.purchases], room.lines)
        blocks.append(section("\n".join([head, *lines])))
    else:
        blocks.append(section(f"*Bought this month ({month}):* nothing through the bot."))
    if summary.cancellations:
        head = (
            f"*Cancelled this month:* {_numbers(len(summary.cancellations))} · "
            f"{escape(summary.stopped_this_month.text())} a month less"
        )
        lines = _capped([_change_line(c) for c in summary.cancellations], room.lines)
        blocks.append(section("\n".join([head, *lines])))
    else:
        blocks.append(section("*Cancelled this month:* nothing through the bot."))
    return blocks


def _pending(summary: SpendSummary, room: Room) -> list[dict]:
    """Only when something waits for approval."""
    if not summary.pending:
        return []
    once = summary.pending_once
    head = f"*Waiting for approval:* {escape(summary.pending_monthly.text())} a month" + (
        f" and {escape(once.text())} at once" if once else ""
    )
    lines = []
    for cost in summary.pending:
        amount = Amounts.of([(cost.currency, cost.monthly)])
        lines.append(f"• {escape(cost.what)}: {escape(amount.text(empty='no price given'))} a month")
    return [section("\n".join([head, *_capped(lines, room.lines)]))]


def confirm_dialog(number: UnusedNumber) -> dict:
    """The danger confirmation before an unused number is cancelled. Slack shows a dialog's text as
    plain text: no markup, no escaping."""
    monthly = (
        f"{two_decimals(number.monthly)} {number.currency or ''}".rstrip() + " a month"
        if number.monthly is not None
        else "an unknown monthly price"
    )
    text = (
        f"Cancel {number.shown} ({number.country_label}, {monthly})? Nothing uses it now. It goes back to "
        "Infobip's pool, where anyone can buy it; this cannot be undone."
    )
    return {
        "title": plain_text("Cancel this number?", 100),
        "text": plain_text(truncate(text, 300), 300),
        "confirm": plain_text("Cancel number", 30),
        "deny": plain_text("Keep it", 30),
        "style": "danger",
    }


def _unused_row(number: UnusedNumber, can_cancel: bool) -> dict:
    monthly = (
        f"{two_decimals(number.monthly)} {escape(number.currency or '')}".rstrip() + " a month"
        if number.monthly is not None
        else "monthly price not given"
    )
    if number.bought is None:
        bought = "bought outside the bot (when is not known)"
    elif number.bought.request_id:
        bought = f"bought {_when(number.bought.at)} through request `{escape(number.bought.request_id)}`"
    else:
        by = f" by <@{escape(number.bought.by)}>" if number.bought.by else ""
        bought = f"bought {_when(number.bought.at)}{by}"
    text = (
        f"*{escape(number.shown)}* · {escape(number.country_label)} · {escape(number.type_label)}\n{monthly} · {bought}"
    )
    accessory = (
        _button("Cancel number", CANCEL_ACTION, number.number_key, style="danger", confirm=confirm_dialog(number))
        if can_cancel
        else None
    )
    return section(text, accessory=accessory, block_id=f"unused:{number.number_key}")


def _unused(summary: SpendSummary, *, can_cancel: bool, managers: list[str], room: Room, on_home: bool) -> list[dict]:
    blocks: list[dict] = [{"type": "header", "text": plain_text(UNUSED_HEADING, 150)}]
    if not summary.unused:
        blocks.append(section(":white_check_mark: None: every number is in use."))
        blocks.append(context(UNUSED_RULE))
        return blocks
    count = len(summary.unused)
    blocks.append(
        section(
            f"*{_numbers(count)}* {'is' if count == 1 else 'are'} unused: cancelling "
            f"{'it' if count == 1 else 'them'} saves *{escape(summary.unused_monthly.text())} a month*."
        )
    )
    blocks.append(context(UNUSED_RULE))
    if not can_cancel:
        who = permissions.managers_text(managers, nobody=permissions.NO_NUMBER_MANAGERS)
        blocks.append(context(f":lock: Cancelling numbers is for number managers: {who}."))
    blocks += [_unused_row(number, can_cancel) for number in summary.unused[: room.unused]]
    more = len(summary.unused) - room.unused
    if more > 0:
        then = (
            f"*Open the whole report* lists up to {MODAL_ROOM.unused}."
            if on_home
            else "Cancel some of those above, then *Refresh*."
        )
        blocks.append(context(f"…and {more} more unused. {then}"))
    return blocks


def report_blocks(
    report: SpendReport,
    *,
    can_cancel: bool,
    managers: list[str],
    room: Room,
    notice: str | None = None,
    on_home: bool = False,
) -> list[dict]:
    """The report, in blocks (see the module docstring); `notice` (mrkdwn-safe) goes first."""
    blocks: list[dict] = []
    if notice:
        blocks.append(section(notice))
    buttons = [_button("Refresh", REFRESH_ACTION, "refresh")]
    if on_home:
        buttons.insert(0, _button("Open the whole report", OPEN_ACTION, "open"))
    actions = {"type": "actions", "block_id": "spend_actions", "elements": buttons}
    if report.problem is not None:
        headline, details = report.problem
        blocks.append(section(f":warning: Could not add up what the numbers cost: {headline}"))
        if details:
            blocks.append(context("\n".join(details)))
        return [*blocks, actions]
    summary = report.summary
    if summary is None or report.as_of is None:
        return [*blocks, section("Not read yet: *Refresh* reads it from Infobip."), actions]
    unpriced = f"\n{_numbers(summary.unpriced)} without a monthly price from Infobip." if summary.unpriced else ""
    blocks.append(
        section(
            f"*The account's {_numbers(summary.count)} cost {escape(summary.monthly.text())} a month.*{unpriced}"
            if summary.count
            else "*The account owns no numbers:* nothing to pay for them."
        )
    )
    blocks.append(
        context(
            f"As Infobip listed them at {report.as_of:%Y-%m-%d %H:%M} UTC. Amounts in different currencies "
            "are never added together."
        )
    )
    if summary.count:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    _breakdown_field("By country", summary.by_country, room),
                    _breakdown_field("By number type", summary.by_type, room),
                    _breakdown_field("By application", summary.by_application, room),
                ],
            }
        )
    blocks += _this_month(summary, room)
    blocks += _pending(summary, room)
    blocks += _unused(summary, can_cancel=can_cancel, managers=managers, room=room, on_home=on_home)
    return [*blocks, actions]


def spend_view(
    report: SpendReport,
    *,
    can_cancel: bool,
    managers: list[str],
    channel_id: str | None = None,
    notice: str | None = None,
) -> dict:
    """The `/resource spend` modal."""
    blocks = report_blocks(report, can_cancel=can_cancel, managers=managers, room=MODAL_ROOM, notice=notice)
    metadata = Origin(channel_id=channel_id).dump() if channel_id else ""
    return modal(TITLE, blocks, callback_id=SPEND_VIEW, private_metadata=metadata)


def home_blocks(report: SpendReport, *, can_cancel: bool, managers: list[str], notice: str | None = None) -> list[dict]:
    """The Spend section of a Home tab."""
    return [
        {"type": "divider"},
        {"type": "header", "text": plain_text(TITLE, 150)},
        *report_blocks(report, can_cancel=can_cancel, managers=managers, room=HOME_ROOM, notice=notice, on_home=True),
    ]
