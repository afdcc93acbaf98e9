"""Commands: sync (not built yet)."""
