"""Fault drills: the e2e `world` (bot + Infobip sandbox + Slack stand-in over real HTTP; the
fixture is in tests/conftest.py) and, for the crash drill, the bot as a separate process.

Drills marked `long` (the 60-second Slack outage) are left out of the default run
(pyproject's addopts deselect them) and run on their own with:
    .venv/bin/pytest tests/drills -m long
"""
