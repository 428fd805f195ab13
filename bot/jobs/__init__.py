"""Work the bot does on its own schedule: reminders, reconciling with the provider."""
