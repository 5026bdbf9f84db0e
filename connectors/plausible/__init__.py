"""Plausible Stats API v2 connector (see README.md)."""
