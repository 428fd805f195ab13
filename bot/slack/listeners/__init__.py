"""Bolt listeners, grouped by kind. Listeners are module-level functions (those that need `services`
take it first); each module's `register(app, services)` binds them with functools.partial and
registers them explicitly. Shared replies: bot/slack/replies.py; the command table: command_table.py."""

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from bot.slack import cm_requests
from bot.slack.listeners import actions, commands, errors, home, once, provisioning, shortcuts, views
from bot.slack.numbers import listeners as numbers
from bot.slack.spend import listeners as spend


def register_all(app: AsyncApp, services: Services) -> None:
    for module in (once, commands, shortcuts, views, actions, home, numbers, spend, provisioning, cm_requests, errors):
        module.register(app, services)
