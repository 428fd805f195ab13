"""Every change the bot makes at a provider, one module each: intent → call → outcome, recovery.

See runner.py for how a use case is performed exactly once. `USE_CASES` is the one table of them
(by action), which recovery uses to settle an intent left open.
"""
