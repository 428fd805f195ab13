"""Persistence: SQLite through sqlite-utils (requests, provider events, the Slack outbox)."""
