"""Pages of the accounts app: signing in and out (`sessions`), the login settings (`settings`)."""
