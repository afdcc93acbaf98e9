"""The ``.qwc`` file the QuickBooks Web Connector imports for one user.

Built with lxml. OwnerID and FileID are the user's stable GUIDs (``users``
table), so a re-generated file replaces the old registration instead of
adding a second one. The Web Connector only talks to ``https://`` URLs,
except on this machine; :func:`check_url` refuses anything else, and the
AppSupport URL must share the AppURL's host.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from qbwc_service.queue.models import User

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
DEFAULT_MINUTES = 15
DESCRIPTION_MAX = 80
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'


class QwcError(ValueError):
    """The .qwc file cannot be written as asked; the message says why."""


@dataclass(frozen=True)
class QwcOptions:
    """What goes into the file besides the user's own identity."""

    url: str
    app_name: str = "JobBOSS2 QuickBooks Sync"
    support_url: str = ""
    minutes: int = DEFAULT_MINUTES
    description: str = ""


def check_url(url: str) -> None:
    """Refuse a URL the Web Connector would refuse: not https and not localhost."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise QwcError(f"not an http(s) URL: {url!r}")
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        raise QwcError(f"the Web Connector requires https:// for {parts.hostname!r} "
                       "(plain http is accepted only for localhost)")


def support_url_for(url: str, support_url: str = "") -> str:
    """AppSupport: *support_url* if given (same host as *url*), else ``<origin>/support``."""
    if not support_url:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}/support"
    if urlsplit(support_url).hostname != urlsplit(url).hostname:
        raise QwcError(f"the support URL {support_url!r} must be on the same host as {url!r}")
    return support_url


def build_qwc(user: User, options: QwcOptions) -> bytes:
    """The .qwc document for *user* as UTF-8 bytes."""
    check_url(options.url)
    if options.minutes < 1:
        raise QwcError("the schedule must be at least 1 minute")
    description = options.description or f"Sends JobBOSS2 records to QuickBooks for {user.name}"
    root = etree.Element("QBWCXML")
    fields = [
        ("AppName", options.app_name),
        ("AppID", ""),
        ("AppURL", options.url),
        ("AppDescription", description[:DESCRIPTION_MAX]),
        ("AppSupport", support_url_for(options.url, options.support_url)),
        ("UserName", user.name),
        ("OwnerID", user.owner_id),
        ("FileID", user.file_id),
        ("QBType", "QBFS"),
    ]
    for tag, text in fields:
        etree.SubElement(root, tag).text = text
    scheduler = etree.SubElement(root, "Scheduler")
    etree.SubElement(scheduler, "RunEveryNMinutes").text = str(options.minutes)
    for tag, text in [
        ("IsReadOnly", "false"),  # we add invoices, bills and time: write access
        ("PersonalDataPref", "pdpNotNeeded"),  # no SSNs or other personal data
        ("UnattendedModePref", "umpOptional"),  # scheduled runs may happen with QuickBooks closed
        ("AuthFlags", "0xF"),  # every QuickBooks Desktop edition
        ("Style", "Document"),
    ]:
        etree.SubElement(root, tag).text = text
    # Double-quoted declaration, as in Intuit's samples (lxml would write single quotes).
    return XML_DECLARATION + etree.tostring(root, encoding="utf-8", pretty_print=True)
