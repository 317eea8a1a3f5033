"""Page forms of this app, one module per topic: parsing and field validation only."""
