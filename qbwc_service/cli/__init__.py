"""The command line: ``qbwc-service``. Each module below adds its commands to :data:`main`."""

from qbwc_service.cli import (  # noqa: F401 - imported for their commands
    alerts,
    doctor,
    jobboss,
    names,
    queue,
    reconcile,
    report,
    serve,
    settings,
    setup,
    simulate,
    sync,
    users,
    windows,
)
from qbwc_service.cli.app import main

__all__ = ["main"]
