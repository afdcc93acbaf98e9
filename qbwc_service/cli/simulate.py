"""Commands: simulate (not built yet)."""
