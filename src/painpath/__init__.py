"""painpath: precision, data-driven pain management for pain clinics."""

__version__ = "0.1.0"
