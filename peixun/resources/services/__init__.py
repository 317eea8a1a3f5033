"""Every write of this app: one module per topic; callers import from the topic."""
