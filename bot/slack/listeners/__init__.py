"""Bolt listeners, grouped by kind. Listeners are module-level functions (those that need `services`
take it first); each module's `register(app, services)` binds them with functools.partial and
registers them explicitly, with the middleware that reads what they need (bot/slack/middleware.py:
`actor` for every listener, `values` and `metadata` where asked). Shared replies: bot/slack/replies.py;
the command table: command_table.py."""

from functools import partial

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from bot.slack import cm_requests
from bot.slack.approvals import listeners as approvals
from bot.slack.listeners import actions, commands, errors, home, once, provisioning, shortcuts, views
from bot.slack.middleware import acting_user
from bot.slack.numbers import listeners as numbers
from bot.slack.profiles import listeners as profiles
from bot.slack.spend import listeners as spend


def register_all(app: AsyncApp, services: Services) -> None:
    once.register(app, services)  # a repeated event goes no further
    app.middleware(partial(acting_user, services))
    for module in (
        commands,
        shortcuts,
        views,
        actions,
        home,
        numbers,
        approvals,
        spend,
        profiles,
        provisioning,
        cm_requests,
        errors,
    ):
        module.register(app, services)
