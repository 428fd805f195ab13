"""Pure domain rules: requirement forms, value validation, request status life cycle, Slack text.

Nothing here does I/O: no network, no Slack client, no database. Import the submodules directly
(`bot.domain.forms`, `bot.domain.form_values`, `bot.domain.validation`, `bot.domain.statuses`,
`bot.domain.mrkdwn`).
"""
