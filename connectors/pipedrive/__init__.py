"""Pipedrive API v2 connector (see README.md)."""
