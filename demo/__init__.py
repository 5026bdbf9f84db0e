"""Synthetic demo workspace data for Nordlys, a fictional Nordic B2B SaaS company."""
