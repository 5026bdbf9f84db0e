"""Source clients (APIs and export files) and the storage layer they write through."""
