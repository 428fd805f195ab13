"""How the outcome of a purchase, a cancellation or a number's new application reads in Slack:
the modal that asked for it, the channel notice, and the DM after a recovery. From the intent."""

from __future__ import annotations

from typing import Any

from bot.domain.numbers import OwnedNumber, country_name, money
from bot.providers.error_records import error_from_record
from bot.providers.infobip.errors import InfobipAPIError, InfobipNotFound, InfobipUnknownOutcome
from bot.providers.infobip.models import Number
from bot.slack.messages import section_message
from bot.slack.mrkdwn import escape
from bot.slack.numbers import views as v
from bot.slack.provider_errors import explain
from bot.slack.provisioning.text import platform_change_text
from bot.store.intents import Intent, IntentState
from bot.usecases import buy_number, cancel_number, set_number_platform


def where(intent: Intent) -> str:
    """Where the notice of the change is posted, as the person reads it."""
    channel = intent.context.get("notice_channel") or ""
    return f"<#{channel}>" if channel[:1] in ("C", "G") else "your messages with the bot"


def _error(intent: Intent) -> Exception | None:
    record = intent.outcome.get("error")
    return error_from_record(record) if record else None


_FIELD_NAMES = {
    "applicationId": "Application",
    "entityId": "Entity",
    "numberKey": "Number key",
    "number": "Number",
    "capabilities": "Capabilities",
    "npa": "Area code",
    "nxx": "Exchange code",
    "state": "State",
    "country": "Country",
}
_GENERIC = {"", "bad request", "invalid request", "bad request."}


def explain_numbers_error(error: Exception) -> tuple[str, list[str]]:
    """`explain`, with the numbers API's terse "Bad request" turned into a sentence and its
    field names into the labels people saw."""
    headline, details = explain(error)
    if isinstance(error, InfobipAPIError) and error.violations:
        if error.description.strip().lower() in _GENERIC:
            headline = "Infobip did not accept what was sent."
        details = [line for line in details if not line.startswith("Infobip error code")]
        for field, label in _FIELD_NAMES.items():
            details = [line.replace(f"*{field}*:", f"*{label}*:") for line in details]
    return headline, details


def _failure(
    error: Exception, shown: str, done: str, *, gone: tuple[str, list[str]], unknown: list[str], nothing: str
) -> tuple[str, list[str]]:
    """(headline, details) of a change to `shown` that was not `done` ("bought"): `gone` when Infobip
    does not know the number, `unknown` (what happens now) when it did not confirm, else its reason
    and `nothing` ("Nothing was bought.")."""
    if isinstance(error, InfobipNotFound):
        return gone
    if isinstance(error, InfobipUnknownOutcome):
        return f":warning: Infobip did not confirm whether {shown} was {done}.", unknown
    headline, details = explain_numbers_error(error)
    return f":x: {shown} was not {done}: {headline}", [*details, nothing]


def _under_way_or_refused(
    intent: Intent, doing: str, refused_when: str, refused: tuple[str, list[str]]
) -> tuple[str, list[str]] | None:
    """(headline, details) of a change still under way (`doing`: "Buying +1…"), or one Infobip did
    not make (its outcome says `refused_when`); None for the other outcomes."""
    if intent.state == IntentState.INTENDED:
        return f":hourglass_flowing_sand: {doing}…", []
    if intent.outcome.get(refused_when):
        return refused
    return None


# ---- purchase --------------------------------------------------------------------------------


def purchase_failure(error: Exception, shown: str, digits: str) -> tuple[str, list[str]]:
    return _failure(
        error,
        shown,
        "bought",
        gone=(
            f":x: {shown} is no longer on offer.",
            ["Someone may have bought it meanwhile. Nothing was bought; search again for another one."],
        ),
        unknown=[
            "It may have gone through, so the bot did not try again, and neither should you.",
            f"The bot keeps checking and tells you by direct message; `/resource my-numbers {digits}` "
            "shows it once it is the account's.",
        ],
        nothing="Nothing was bought.",
    )


def purchase_view(intent: Intent) -> dict[str, Any]:
    offer = buy_number.offer_of(intent)
    shown = escape(offer.display)
    if intent.state == IntentState.DONE:
        return v.bought_view(offer, buy_number.bought_number(intent) or Number(), where(intent))
    not_bought = [
        "Infobip did not take the purchase: the account does not own it. Nothing was charged; you can buy it again."
    ]
    if settled := _under_way_or_refused(
        intent, f"Buying {shown}", "not_bought", (f":x: {shown} was not bought.", not_bought)
    ):
        return v.outcome_view(v.BUY_TITLE, *settled)
    error = _error(intent) or InfobipUnknownOutcome("purchase-number", "no answer")
    digits = "".join(ch for ch in offer.number if ch.isdigit())
    headline, details = purchase_failure(error, shown, digits)
    return v.outcome_view(v.BUY_TITLE, headline, details)


def _purchase_notice(intent: Intent) -> dict[str, Any] | None:
    if intent.state != IntentState.DONE:
        return None
    text, blocks = v.purchase_notice(
        intent.actor, buy_number.offer_of(intent), buy_number.bought_number(intent) or Number()
    )
    return {"text": text, "blocks": blocks}


def _purchase_dm(intent: Intent) -> str:
    shown = escape(buy_number.offer_of(intent).display)
    if intent.state == IntentState.DONE:
        return (
            f":white_check_mark: Your purchase of *{shown}* went through: the number is the account's. "
            f"It is posted in {where(intent)}."
        )
    return (
        f":x: Your purchase of *{shown}* did not go through: the account does not own it, and nothing "
        "was charged. You can buy it again."
    )


# ---- cancellation ----------------------------------------------------------------------------


def _owned(intent: Intent) -> OwnedNumber:
    return cancel_number.owned_of(intent)


def cancel_summary(number: OwnedNumber, where: str | None, reason: str | None = None) -> dict[str, Any]:
    """What the approvers are shown of a cancellation that waits for them (plain text)."""
    return {
        "what": number.display,
        "country": country_name(number.country),
        "where": where,
        "reason": reason,
        "monthly": money(number.per_month, number.currency) if number.per_month is not None else None,
    }


def cancel_outcome(intent: Intent) -> tuple[str, list[str]]:
    """(headline, details) of a cancellation as it stands (mrkdwn-safe): its modal's, and the
    notice of the spend report it was made from."""
    context = _owned(intent)
    shown = escape(context.display)
    if intent.state == IntentState.DONE:
        return f":white_check_mark: {shown} is cancelled and back in Infobip's pool.", [f"Posted in {where(intent)}."]
    still_owned = ["The account still owns it. Nothing was changed; you can cancel it again."]
    if settled := _under_way_or_refused(
        intent, f"Cancelling {shown}", "still_owned", (f":x: {shown} was not cancelled.", still_owned)
    ):
        return settled
    return _failure(
        _error(intent) or InfobipUnknownOutcome("cancel-number", "no answer"),
        shown,
        "cancelled",
        gone=(
            f":x: {shown} is not among the account's numbers any more.",
            ["Someone may have cancelled it meanwhile. Nothing was changed."],
        ),
        unknown=["The bot keeps checking and tells you by direct message. Don't cancel it again meanwhile."],
        nothing="Nothing was changed.",
    )


def cancel_view(intent: Intent) -> dict[str, Any]:
    headline, details = cancel_outcome(intent)
    return v.outcome_view(v.CANCEL_TITLE, headline, details or None)


def _cancel_notice(intent: Intent) -> dict[str, Any] | None:
    if intent.state != IntentState.DONE:
        return None
    text, blocks = v.cancel_notice(intent.actor, _owned(intent))
    return {"text": text, "blocks": blocks}


def _cancel_dm(intent: Intent) -> str:
    shown = escape(_owned(intent).display)
    if intent.state == IntentState.DONE:
        return f":white_check_mark: Your cancellation of *{shown}* went through: it is back in Infobip's pool."
    return f":x: Your cancellation of *{shown}* did not go through: the account still owns it."


# ---- application / entity of a number ----------------------------------------------------------


def shown_number(intent: Intent) -> str:
    number = intent.params.get("number")
    return f"+{escape(number)}" if number else f"`{escape(intent.params.get('numberKey', '?'))}`"


def platform_change(intent: Intent) -> str:
    before, _ = set_number_platform.before_after(intent)
    return platform_change_text(before, set_number_platform.now_on(intent))


def _platform_notice(intent: Intent) -> dict[str, Any] | None:
    if intent.state != IntentState.DONE:
        return None
    return section_message(
        f":twisted_rightwards_arrows: <@{intent.actor}> changed the number-level routing of {shown_number(intent)}: "
        f"{platform_change(intent)}. Inbound configurations that set their own application or entity still win."
    )


def _platform_dm(intent: Intent) -> str:
    _, after = set_number_platform.before_after(intent)
    if intent.state == IntentState.DONE:
        return f":white_check_mark: {shown_number(intent)} is now on {v.platform_text(*after)}."
    return f":x: {shown_number(intent)} was not moved to {v.platform_text(*after)}: Infobip still has it where it was."


def platform_view(intent: Intent) -> dict[str, Any]:
    shown = shown_number(intent)
    if intent.state == IntentState.DONE:
        return v.outcome_view(
            v.PLATFORM_TITLE,
            f":white_check_mark: {shown} is now on " + v.platform_text(*set_number_platform.now_on(intent)) + ".",
        )
    unchanged = ["Infobip still has it where it was. Nothing was changed."]
    if settled := _under_way_or_refused(
        intent, f"Saving {shown}", "unchanged", (f":x: {shown} was not changed.", unchanged)
    ):
        return v.outcome_view(v.PLATFORM_TITLE, *settled)
    failure = _failure(
        _error(intent) or InfobipUnknownOutcome("update-number", "no answer"),
        shown,
        "changed",
        gone=(
            ":x: This number is not among the account's numbers any more.",
            ["Someone may have cancelled it meanwhile.", "Nothing was changed."],
        ),
        unknown=["The bot keeps checking and tells you by direct message."],
        nothing="Nothing was changed.",
    )
    return v.outcome_view(v.PLATFORM_TITLE, *failure)


RENDERERS: dict[str, dict[str, Any]] = {
    buy_number.ACTION: {
        "notice": _purchase_notice,
        "dm": _purchase_dm,
        "view": lambda services, intent: purchase_view(intent),
    },
    cancel_number.ACTION: {
        "notice": _cancel_notice,
        "dm": _cancel_dm,
        "view": lambda services, intent: cancel_view(intent),
    },
    set_number_platform.ACTION: {
        "notice": _platform_notice,
        "dm": _platform_dm,
        "view": lambda services, intent: platform_view(intent),
    },
}
