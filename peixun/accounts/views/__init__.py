"""Pages of the accounts app: signing in and out (`sessions`), the login settings (`settings`),
activation and one's password (`activation`), an org admin's page of members' logins
(`accounts`), grants and tenants (`grants`), and personal API tokens (`tokens`)."""
