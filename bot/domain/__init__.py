"""Pure domain rules: requirement forms, value validation, request status life cycle, Slack text.

Nothing here does I/O: no network, no Slack client, no database, and no provider's wire models
(tests/unit/test_layering.py pins it). Import the submodules directly (`bot.domain.requirements`,
`bot.domain.forms`, `bot.domain.field_rules`, `bot.domain.form_values`, `bot.domain.validation`,
`bot.domain.statuses`, `bot.domain.mrkdwn`).
"""
