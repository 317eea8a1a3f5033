"""Pages of the accounts app: signing in and out (`login`), grants and tenants (`grants`)."""
