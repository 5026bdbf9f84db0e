"""Salesforce REST API connector (see README.md)."""
