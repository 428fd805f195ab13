"""Spend from Slack: what the account's numbers cost, this month's purchases and cancellations,
and the unused numbers, with a Cancel button each.

`load` reads the facts (Infobip, the bot's records) for bot/domain/spend.py to add up; `views`
renders the report for the modal and the Home tab; `listeners.register` wires it into Bolt.
"""
