"""Commands: queue (not built yet)."""
