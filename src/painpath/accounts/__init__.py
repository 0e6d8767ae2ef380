"""Users, roles, clinics and API tokens."""
