"""Google Analytics 4 Data API connector (see README.md)."""
