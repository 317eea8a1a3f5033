"""Page forms of this app: one module per topic."""
