"""Packaging glue: the alembic ``migrations/`` folder ships inside the package.

pyproject.toml holds all metadata; this file only maps the top-level
``migrations/`` folder to ``qbwc_service.migrations`` so ``qbwc-service init``
finds its migrations after a plain ``pip install .``.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["qbwc_service", "qbwc_service.*"])
    + ["qbwc_service.migrations", "qbwc_service.migrations.versions"],
    package_dir={"qbwc_service.migrations": "migrations"},
)
