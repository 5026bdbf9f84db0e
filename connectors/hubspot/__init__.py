"""HubSpot CRM v3 connector (see README.md)."""
