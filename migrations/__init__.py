"""Alembic migrations of the queue database (installed as ``qbwc_service.migrations``)."""
