"""Helpers for the simulator tests (not a test module)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qbwc_service.qbxml.validate import validation_errors
from qbwc_service.simulator.quickbooks import QuickBooksCompany


class StepClock:
    """A clock that advances one second per reading: deterministic IDs and times."""

    def __init__(self) -> None:
        self.now = datetime(2024, 3, 1, 9, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class CheckedCompany(QuickBooksCompany):
    """The stand-in, with every response it writes checked against the XSD."""

    def process(self, request_xml: str) -> str:
        response = super().process(request_xml)
        assert validation_errors(response) == [], response
        return response


