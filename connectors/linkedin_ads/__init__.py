"""LinkedIn Marketing API connector (see README.md)."""
