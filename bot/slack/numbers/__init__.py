"""Numbers from Slack: numbers on offer (buy), the account's numbers (application/entity, cancel)."""

from bot.slack.numbers.listeners import register

__all__ = ["register"]
