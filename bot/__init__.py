"""resourcebot: a Slack bot for requesting telecom resources from CPaaS providers."""
