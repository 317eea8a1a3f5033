"""Files of this app: one module per topic."""
