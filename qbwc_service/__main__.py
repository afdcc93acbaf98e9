"""``python -m qbwc_service`` runs the command line."""

from qbwc_service.cli import main

main()
