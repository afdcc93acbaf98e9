"""The clientVersion answer: is this Web Connector recent enough?

The Web Connector reports its version as ``Major.Minor.Release.Build``
(e.g. ``2.3.0.215``). The answer, per the protocol:

* ``""``: proceed.
* ``"W:<text>"``: older than ``qbwc.warn_client_version``; the user is
  warned and may continue.
* ``"O:<version>"``: older than ``qbwc.min_client_version``; the Web
  Connector tells the user which version the service requires and stops.
* ``"E:<text>"``: the admin paused syncing (``qbwc.paused_message``, e.g.
  during an upgrade); every Web Connector stops before authenticate and
  shows the text.

A version string we cannot read gets ``""`` (proceed) and a log line: the
call is optional in the protocol, and refusing a client we cannot judge
would lock out a future numbering scheme over a cosmetic check.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

Version = tuple[int, ...]

#: ASCII digits only (``"²".isdigit()`` is true but ``int("²")`` fails), at most 9 per part.
VERSION_PATTERN = re.compile(r"\d{1,9}(?:\.\d{1,9}){0,7}", re.ASCII)


def parse_version(text: str) -> Version | None:
    """``"2.3.0.215"`` -> ``(2, 3, 0, 215)``; ``None`` if not dotted digits."""
    text = text.strip()
    if not VERSION_PATTERN.fullmatch(text):
        return None
    return tuple(int(part) for part in text.split("."))


def older(version: Version, than: Version) -> bool:
    """Compare with missing trailing parts read as zero (2.3 == 2.3.0.0)."""
    width = max(len(version), len(than))
    return version + (0,) * (width - len(version)) < than + (0,) * (width - len(than))


def client_version_answer(reported: str, minimum: str, warn_below: str, paused: str = "") -> str:
    """The clientVersion result for a Web Connector reporting *reported*."""
    if paused:
        return f"E:{paused}"
    version = parse_version(reported or "")
    if version is None:
        log.warning("clientVersion: unreadable Web Connector version %r; letting it proceed",
                    reported[:100])
        return ""
    floor = parse_version(minimum) if minimum else None
    if floor is not None and older(version, floor):
        return f"O:{minimum}"
    recommended = parse_version(warn_below) if warn_below else None
    if recommended is not None and older(version, recommended):
        return (f"W:Web Connector {reported} is older than the recommended {warn_below}; "
                "please upgrade it soon.")
    return ""
