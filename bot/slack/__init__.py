"""Slack surface: listeners by kind, Block Kit builders, delivery of thread messages."""
