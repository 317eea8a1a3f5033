"""The learning app's pages, one module per area (other helpers add theirs beside)."""
