"""Benchmarks: the bot measured side by side with the bare frameworks it is built on (see README.md)."""
