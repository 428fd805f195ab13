"""Which handler serves which `/resource` command, in one table: the slash command and the
launcher look a parsed command up here, and the launcher offers what the table serves.

Each handler takes an Invocation (bot/slack/invocation.py) and the command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain.commands import (
    Approvals,
    Associate,
    Associations,
    CmNumber,
    MultiSenderForm,
    MyNumbers,
    NumberForm,
    NumbersSearch,
    Profiles,
    RcsForm,
    SenderForm,
    Spend,
)
from bot.slack.approvals.listing import open_approvals
from bot.slack.cm_requests import open_cm_order
from bot.slack.form_context import FormContext
from bot.slack.invocation import CommandHandler, Invocation
from bot.slack.multi_forms import open_multi_sender_form
from bot.slack.numbers.listeners import open_my_numbers, open_numbers_search
from bot.slack.profiles.listeners import open_profiles
from bot.slack.provisioning.associate import open_associate
from bot.slack.provisioning.association_list import open_list
from bot.slack.request_forms import show_form
from bot.slack.spend.listeners import open_spend
from bot.slack.views import LAUNCHER_CHOICES

if TYPE_CHECKING:
    from bot.services import Services


async def open_request_form(invocation: Invocation, command: SenderForm | RcsForm | NumberForm) -> None:
    view_id = await invocation.loading("New request", "Loading the requirements from Infobip…")
    await show_form(
        invocation.services,
        invocation.client,
        view_id=view_id,
        user=invocation.user,
        context=FormContext.for_command(command, invocation.channel_id),
        acked_at=invocation.acked_at,
    )


COMMAND_HANDLERS: dict[type, CommandHandler] = {
    SenderForm: open_request_form,
    MultiSenderForm: open_multi_sender_form,
    RcsForm: open_request_form,
    NumberForm: open_request_form,
    NumbersSearch: open_numbers_search,
    MyNumbers: open_my_numbers,
    CmNumber: open_cm_order,
    Associate: open_associate,
    Associations: open_list,
    Spend: open_spend,
    Approvals: open_approvals,
    Profiles: open_profiles,
}


def handler_for(command: object) -> CommandHandler | None:
    return COMMAND_HANDLERS.get(type(command))


# A sample command of each launcher choice, to tell whether its feature is there.
LAUNCHER_COMMANDS = {
    "sender": SenderForm("HR"),
    "rcs": RcsForm("HR"),
    "number": NumberForm("HR", "VIRTUAL_LONG_NUMBER", ("SMS",), 1),
    "numbers": NumbersSearch("HR"),
    "my-numbers": MyNumbers(),
    "associate": Associate(),
    "associations": Associations(),
    "cm-number": CmNumber(),
    "profiles": Profiles(),
}


def launcher_choices(services: Services) -> set[str]:
    """What the launcher offers: the features that are there, CM.com only when it is configured."""
    return {
        value
        for value, _ in LAUNCHER_CHOICES
        if handler_for(LAUNCHER_COMMANDS[value]) is not None and (value != "cm-number" or services.cm is not None)
    }
