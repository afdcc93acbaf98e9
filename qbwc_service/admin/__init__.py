"""The admin web page, mounted at ``/admin``: queue, runs, settings and audit trail."""

from qbwc_service.admin.app import create_app

__all__ = ["create_app"]
