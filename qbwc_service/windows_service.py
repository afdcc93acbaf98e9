"""A WinSW configuration that runs ``qbwc-service serve`` as a Windows service.

WinSW (github.com/winsw/winsw) is a small, maintained wrapper: rename
``WinSW-x64.exe`` to ``qbwc-service.exe``, put this XML beside it as
``qbwc-service.xml`` and run ``qbwc-service.exe install``. The service starts
with Windows (delayed, so the network is up), restarts after a crash, and its
standard error (the service log) goes to rolling files in the data folder.
Paths are Windows paths whatever system writes the file, so they are built as
:class:`~pathlib.PureWindowsPath` values.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath, PureWindowsPath

from lxml import etree

SERVICE_ID = "qbwc-service"
DISPLAY_NAME = "qbwc-service (JobBOSS2 to QuickBooks)"
DESCRIPTION = ("Sends JobBOSS2 invoices, bills and time to QuickBooks Desktop through the QuickBooks "
               "Web Connector.")
#: Restart 10 s after a crash, then after a minute; a clean hour resets the count.
RESTARTS = ("10 sec", "1 min", "5 min")
RESET_FAILURE = "1 hour"
STOP_TIMEOUT = "30 sec"
LOG_ROLL_KB = 10 * 1024
LOG_KEEP_FILES = 5


@dataclass(frozen=True)
class ServiceSpec:
    """What the service runs: the command, its configuration file, and extra environment."""

    executable: PurePath
    config_path: PurePath
    service_id: str = SERVICE_ID
    environment: Mapping[str, str] = field(default_factory=dict)

    @property
    def data_dir(self) -> PureWindowsPath:
        return PureWindowsPath(self.config_path).parent

    @property
    def log_dir(self) -> PureWindowsPath:
        return self.data_dir / "logs"


def winsw_xml(spec: ServiceSpec) -> bytes:
    """The WinSW XML for *spec*, UTF-8, ending with a newline."""
    root = etree.Element("service")
    for tag, text in (("id", spec.service_id), ("name", DISPLAY_NAME), ("description", DESCRIPTION),
                      ("executable", str(PureWindowsPath(spec.executable))),
                      ("arguments", subprocess.list2cmdline(
                          ["--config", str(PureWindowsPath(spec.config_path)), "serve"])),
                      ("workingdirectory", str(spec.data_dir)),
                      ("startmode", "Automatic"), ("delayedAutoStart", "true")):
        etree.SubElement(root, tag).text = text
    for delay in RESTARTS:
        etree.SubElement(root, "onfailure", action="restart", delay=delay)
    etree.SubElement(root, "resetfailure").text = RESET_FAILURE
    etree.SubElement(root, "stoptimeout").text = STOP_TIMEOUT
    for name, value in sorted(spec.environment.items()):
        etree.SubElement(root, "env", name=name, value=value)
    etree.SubElement(root, "logpath").text = str(spec.log_dir)
    log = etree.SubElement(root, "log", mode="roll-by-size")
    etree.SubElement(log, "sizeThreshold").text = str(LOG_ROLL_KB)
    etree.SubElement(log, "keepFiles").text = str(LOG_KEEP_FILES)
    comment = etree.Comment(" WinSW configuration written by qbwc-service windows-service. Install: rename "
                            "WinSW-x64.exe to qbwc-service.exe beside this file (qbwc-service.xml), then "
                            "run: qbwc-service.exe install, qbwc-service.exe start ")
    root.insert(0, comment)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)


def installed_executable(python: PurePath, windows: bool) -> PurePath:
    """The ``qbwc-service`` launcher beside *python* (``Scripts\\qbwc-service.exe`` in a Windows venv)."""
    return python.parent / ("qbwc-service.exe" if windows else "qbwc-service")
