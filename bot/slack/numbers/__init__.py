"""Numbers from Slack: numbers on offer (buy), the account's numbers (application/entity, cancel).

`listeners.register` wires it into Bolt; `outcomes` words what came of each change.
"""
