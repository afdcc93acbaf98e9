"""Commands: jobboss (not built yet)."""
