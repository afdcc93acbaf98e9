"""Commands: serve (not built yet)."""
