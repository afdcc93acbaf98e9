"""A job's payload gives back exactly the JobBOSS2 record it was planned from."""

from __future__ import annotations

import dataclasses
import json

import pytest

from qbwc_service.jobboss.reader import ALL, JobBossReader
from qbwc_service.sync.serialize import from_jsonable, to_jsonable

TRANSACTIONS = ("ar_invoices", "ap_invoices", "packing_list_invoices", "attendance")
LISTS = ("customers", "vendors", "employees", "parts", "terms", "gl_accounts", "tax_codes")


@pytest.mark.parametrize("method", TRANSACTIONS + LISTS)
def test_records_round_trip_through_json(demo_template, method):
    reader = JobBossReader(str(demo_template))
    records = list(getattr(reader, method)(ALL) if method in TRANSACTIONS else getattr(reader, method)())
    assert records
    for record in records[:200]:
        data = json.loads(json.dumps(to_jsonable(record)))
        rebuilt = from_jsonable(type(record), data)
        if method == "employees":  # JSON object keys are text: pay rate codes come back as text
            assert rebuilt.pay_rates == {str(k): v for k, v in record.pay_rates.items()}
            rebuilt = dataclasses.replace(rebuilt, pay_rates=record.pay_rates)
        assert rebuilt == record
