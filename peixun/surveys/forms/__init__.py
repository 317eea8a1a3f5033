"""Page forms of this app: parsing and field validation only; one module per topic."""
