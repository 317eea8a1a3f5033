"""Pages of the events layer; one module per workflow (sign-in, attendance, leave, settings)."""
