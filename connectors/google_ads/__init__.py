"""Google Ads API connector (see README.md)."""
