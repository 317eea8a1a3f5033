"""Files out of this app: one module per topic."""
