"""Meta Marketing API connector (see README.md)."""
