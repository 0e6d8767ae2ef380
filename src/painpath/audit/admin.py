"""Audit rows are browsed at /audit/ (filtered by clinic); Django admin does not list them."""
