"""The alert watcher: rules over the data layer, their states, and delivery to webhooks (no Dash)."""
