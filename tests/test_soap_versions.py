"""clientVersion answers."""

from __future__ import annotations

import pytest

from qbwc_service.soap.versions import client_version_answer, older, parse_version


@pytest.mark.parametrize("reported,minimum,warn,expected", [
    ("2.3.0.215", "2.1.0.30", "", ""),
    ("2.1.0.30", "2.1.0.30", "", ""),
    ("2.1.0.29", "2.1.0.30", "", "O:2.1.0.30"),
    ("1.5", "2.1.0.30", "", "O:2.1.0.30"),
    ("2.2.0.1", "2.1.0.30", "2.3.0.215", "W:"),
    ("2.3.0.215", "2.1.0.30", "2.3.0.215", ""),
    ("2.0.0.1", "2.1.0.30", "2.3.0.215", "O:2.1.0.30"),  # too old beats warning
    ("1.0.0.0", "", "", ""),
    ("", "2.1.0.30", "", ""),  # unreadable: proceed
    ("garbage", "2.1.0.30", "", ""),
    ("2.3.0.x", "2.1.0.30", "", ""),
    ("2.3.0.\u00b2", "2.1.0.30", "", ""),  # isdigit() is true, int() fails
    ("\u0662.3.0.1", "2.1.0.30", "", ""),  # Arabic-Indic digit
    ("9" * 100_000, "2.1.0.30", "", ""),  # over int()'s digit limit
])
def test_answers(reported, minimum, warn, expected):
    answer = client_version_answer(reported, minimum, warn)
    if expected == "W:":
        assert answer.startswith("W:") and reported in answer and warn in answer
    else:
        assert answer == expected


def test_parse_and_compare():
    assert parse_version("2.3.0.215") == (2, 3, 0, 215)
    assert parse_version("2.3.a") is None
    assert not older((2, 3), (2, 3, 0, 0))
    assert older((2, 3), (2, 3, 0, 1))
    assert older((2, 9, 9, 9), (2, 10))
