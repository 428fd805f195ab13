"""Bolt listeners, grouped by kind; each module exposes `register(app, services)`."""

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from bot.slack import cm_requests
from bot.slack.numbers import listeners as numbers
from bot.slack.listeners import actions, commands, errors, home, once, provisioning, shortcuts, views


def register_all(app: AsyncApp, services: Services) -> None:
    for module in (once, commands, shortcuts, views, actions, home, numbers, provisioning, cm_requests, errors):
        module.register(app, services)
