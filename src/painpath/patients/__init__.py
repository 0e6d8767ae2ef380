"""Patients, their coded conditions, and the care teams that link clinicians to them."""
