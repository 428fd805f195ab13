"""A faithful local stand-in for Slack: the Web API server, a driver that plays Slack toward the
bot (signed commands, interactions, events), and a transcript renderer."""

from bot.sandbox.slack.driver import BotResponse, FormBlocked, SlackDriver
from bot.sandbox.slack.transcript import render_message, render_thread, render_view
from bot.sandbox.slack.web_api import Call, Fault, SlackError, SlackStandIn, StandInConfig, create_app

__all__ = [
    "BotResponse",
    "Call",
    "Fault",
    "FormBlocked",
    "SlackDriver",
    "SlackError",
    "SlackStandIn",
    "StandInConfig",
    "create_app",
    "render_message",
    "render_thread",
    "render_view",
]
