"""`python -m bot` is the same as the `resourcebot` command."""

from bot.cli import main

raise SystemExit(main())
