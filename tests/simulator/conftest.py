from __future__ import annotations

import pytest
from sim_support import CheckedCompany, StepClock

from qbwc_service.simulator.quickbooks import QuickBooksCompany


@pytest.fixture
def company() -> QuickBooksCompany:
    return CheckedCompany.fresh(country="US", clock=StepClock())
