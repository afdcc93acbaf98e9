"""Commands: users (not built yet)."""
