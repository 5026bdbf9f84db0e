"""Matomo Reporting API connector (see README.md)."""
