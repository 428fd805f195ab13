"""Pure domain rules: commands, requirement forms, value validation, request status life cycle,
numbers and associations as rules.

Nothing here does I/O: no network, no Slack client, no database, and no provider's wire models;
nor does it render for Slack: escaping and Block Kit are bot/slack/'s (tests/unit/test_layering.py
pins the imports). Import the submodules directly (`bot.domain.requirements`, `bot.domain.forms`,
`bot.domain.field_rules`, `bot.domain.validation`, `bot.domain.statuses`, ...).
"""
