"""The README's configuration reference names every configuration key."""

from __future__ import annotations

from pathlib import Path

from qbwc_service.config import KEYS

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_documents_every_config_key() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [key for key in KEYS if f"`{key}`" not in text and f"`{key}," not in text]
    assert missing == []
