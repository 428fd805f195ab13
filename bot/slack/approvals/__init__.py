"""Approvals in Slack: the request for a decision (Approve / Deny), the deny-reason modal, and the
messages that say how it was decided."""
