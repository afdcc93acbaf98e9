"""Where log lines go and how they look: ``logging.*`` in the configuration.

Standard error always (unless something else, such as a test runner, already
handles the root logger); with ``logging.file`` also a file, rotated at
``logging.max_mb`` with ``logging.backups`` old files kept. ``logging.format
= "json"`` writes one JSON object per line, with the fields a log line was
given through ``extra=`` (the per-session line has user, counts, duration)
as keys of their own, ready for a log shipper.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from pythonjsonlogger.json import JsonFormatter

from qbwc_service.config import Config

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
JSON_RENAMES = {"asctime": "time", "levelname": "level", "name": "logger"}
#: Marks the handlers this module added, so configuring again replaces exactly those.
OWN = "_qbwc_service_handler"


def formatter(fmt: str) -> logging.Formatter:
    """The formatter for ``logging.format``: ``text`` or ``json``."""
    if fmt == "json":
        return JsonFormatter(JSON_FIELDS, rename_fields=JSON_RENAMES, json_ensure_ascii=False)
    return logging.Formatter(TEXT_FORMAT)


def reset() -> None:
    """Remove (and close) the handlers :func:`configure` added."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, OWN, False)]:
        root.removeHandler(handler)
        handler.close()


def configure(config: Config) -> Path | None:
    """Set up the root logger from *config*; returns the log file's path, if any."""
    reset()
    root = logging.getLogger()
    handlers: list[logging.Handler] = []
    if not root.handlers:
        handlers.append(logging.StreamHandler(sys.stderr))
    path = config.resolve(config["logging.file"]) if config["logging.file"] else None
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(
            path, maxBytes=config["logging.max_mb"] * 1024 * 1024, backupCount=config["logging.backups"],
            encoding="utf-8", delay=True))
    shape = formatter(config["logging.format"])
    for handler in handlers:
        handler.setFormatter(shape)
        setattr(handler, OWN, True)
        root.addHandler(handler)
    if handlers:  # a root logger someone else set up keeps its level
        root.setLevel(config["logging.level"].upper())
    return path
