"""The .qwc file: every element the Web Connector reads, parsed back element by element."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from qbwc_service import accounts, qwc
from qbwc_service.cli import main
from qbwc_service.queue.db import transaction

GUID = re.compile(r"^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$")
ORDER = ["AppName", "AppID", "AppURL", "AppDescription", "AppSupport", "UserName", "OwnerID", "FileID",
         "QBType", "Scheduler", "IsReadOnly", "PersonalDataPref", "UnattendedModePref", "AuthFlags",
         "Style"]


@pytest.fixture
def alice(sessions):
    with transaction(sessions) as db:
        user = accounts.create_user(db, "alice", "pw")
    return user


def run(config_file, *args):
    return CliRunner().invoke(main, ["--config", str(config_file), *args], catch_exceptions=False)


def parse(data: bytes) -> etree._Element:
    assert data.startswith(b'<?xml version="1.0"')
    return etree.fromstring(data)


def test_cli_writes_every_element(config_file, alice, tmp_path):
    out = tmp_path / "alice.qwc"
    result = run(config_file, "qwc", "alice", "--url", "https://sync.example.com:8443/qbwc", "-o", str(out),
                 "--minutes", "20")
    assert result.exit_code == 0, result.output
    root = parse(out.read_bytes())
    assert root.tag == "QBWCXML"
    assert [child.tag for child in root] == ORDER
    assert root.findtext("AppName") == "JobBOSS2 QuickBooks Sync"
    assert root.findtext("AppID") == ""
    assert root.findtext("AppURL") == "https://sync.example.com:8443/qbwc"
    assert 0 < len(root.findtext("AppDescription")) <= 80
    assert root.findtext("AppSupport") == "https://sync.example.com:8443/support"
    assert root.findtext("UserName") == "alice"
    assert root.findtext("OwnerID") == alice.owner_id
    assert root.findtext("FileID") == alice.file_id
    assert GUID.match(root.findtext("OwnerID")) and GUID.match(root.findtext("FileID"))
    assert root.findtext("OwnerID") != root.findtext("FileID")
    assert root.findtext("QBType") == "QBFS"
    assert [c.tag for c in root.find("Scheduler")] == ["RunEveryNMinutes"]
    assert root.findtext("Scheduler/RunEveryNMinutes") == "20"
    assert root.findtext("IsReadOnly") == "false"
    assert root.findtext("PersonalDataPref") in ("pdpNotNeeded", "pdpOptional", "pdpRequired")
    assert root.findtext("UnattendedModePref") in ("umpRequired", "umpOptional")
    assert root.findtext("AuthFlags") == "0xF"
    assert root.findtext("Style") == "Document"


def test_one_owner_id_per_installation_and_a_file_id_per_user(config_file, alice, sessions, tmp_path):
    with transaction(sessions) as db:
        accounts.create_user(db, "bob", "pw")
    files = {}
    for name, n in (("alice", 1), ("alice", 2), ("bob", 1)):
        path = tmp_path / f"{name}{n}.qwc"
        result = run(config_file, "qwc", name, "--url", "http://localhost:8080/qbwc", "-o", str(path))
        assert result.exit_code == 0
        root = parse(path.read_bytes())
        files[(name, n)] = (root.findtext("OwnerID"), root.findtext("FileID"))
    assert files[("alice", 1)] == files[("alice", 2)]
    assert files[("alice", 1)][0] == files[("bob", 1)][0]  # OwnerID: the application
    assert files[("alice", 1)][1] != files[("bob", 1)][1]  # FileID: the company file


def test_an_existing_file_is_kept_unless_forced(config_file, alice, tmp_path):
    path = tmp_path / "alice.qwc"
    path.write_text("registered already\n", encoding="utf-8")
    args = ["qwc", "alice", "--url", "https://sync.example.com/qbwc", "-o", str(path)]
    refused = CliRunner().invoke(main, ["--config", str(config_file), *args])
    assert refused.exit_code == 1
    assert "exists" in refused.output and "--force" in refused.output
    assert path.read_text(encoding="utf-8") == "registered already\n"
    forced = run(config_file, *args, "--force")
    assert forced.exit_code == 0, forced.output
    assert parse(path.read_bytes()).findtext("UserName") == "alice"


def test_files_end_with_a_newline(config_file, alice, tmp_path):
    path = tmp_path / "alice.qwc"
    run(config_file, "qwc", "alice", "--url", "https://sync.example.com/qbwc", "-o", str(path))
    assert path.read_bytes().endswith(b"</QBWCXML>\n")
    assert run(config_file, "qwc", "alice", "--url", "https://sync.example.com/qbwc",
               "-o", "-").output.endswith("</QBWCXML>\n")


@pytest.mark.parametrize("url", ["http://sync.example.com/qbwc", "http://192.168.1.5:8080/qbwc",
                                 "ftp://localhost/qbwc", "not a url"])
def test_non_https_urls_are_refused_unless_localhost(config_file, alice, tmp_path, url):
    out = tmp_path / "x.qwc"
    result = CliRunner().invoke(main, ["--config", str(config_file), "qwc", "alice", "--url", url,
                                       "-o", str(out)])
    assert result.exit_code != 0
    assert not out.exists()
    assert "https" in result.output or "URL" in result.output


@pytest.mark.parametrize("url", ["http://localhost:8080/qbwc", "http://127.0.0.1/qbwc",
                                 "http://[::1]:8080/qbwc", "https://example.com/qbwc"])
def test_accepted_urls(alice, url):
    root = parse(qwc.build_qwc(alice, qwc.QwcOptions(url=url)))
    assert root.findtext("AppURL") == url


def test_unknown_user_is_an_error(config_file, tmp_path):
    result = CliRunner().invoke(main, ["--config", str(config_file), "qwc", "ghost", "--url",
                                       "https://x.example/qbwc", "-o", str(tmp_path / "g.qwc")])
    assert result.exit_code != 0
    assert "ghost" in result.output


def test_support_url_must_share_the_host(alice):
    with pytest.raises(qwc.QwcError):
        qwc.build_qwc(alice, qwc.QwcOptions(url="https://a.example/qbwc",
                                            support_url="https://b.example/help"))
    root = parse(qwc.build_qwc(alice, qwc.QwcOptions(url="https://a.example/qbwc",
                                                     support_url="https://a.example/help")))
    assert root.findtext("AppSupport") == "https://a.example/help"


def test_special_characters_are_escaped_by_lxml(sessions):
    with transaction(sessions) as db:
        user = accounts.create_user(db, "R&D <shop>", "pw")
    root = parse(qwc.build_qwc(user, qwc.QwcOptions(url="https://a.example/qbwc", app_name="A & B")))
    assert root.findtext("UserName") == "R&D <shop>"
    assert root.findtext("AppName") == "A & B"


def test_stdout_output(config_file, alice):
    result = run(config_file, "qwc", "alice", "--url", "https://a.example/qbwc", "-o", "-")
    assert result.exit_code == 0
    assert parse(result.output.encode()).findtext("UserName") == "alice"


def test_example_file_in_the_repository_is_well_formed():
    example = Path(__file__).resolve().parent.parent / "qwc" / "example.qwc"
    root = parse(example.read_bytes())
    assert sorted(child.tag for child in root if isinstance(child.tag, str)) == sorted(ORDER)
    assert root.findtext("QBType") == "QBFS"


def test_qwc_help():
    result = subprocess.run([sys.executable, "-m", "qbwc_service", "qwc", "--help"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "--minutes" in result.stdout


def test_unwritable_output_is_one_clear_line(config_file, alice, tmp_path):
    target = tmp_path / "missing-dir" / "alice.qwc"
    result = CliRunner().invoke(main, ["--config", str(config_file), "qwc", "alice", "--url",
                                       "https://sync.example.com/qbwc", "-o", str(target)])
    assert result.exit_code == 1
    assert "cannot write" in result.output and isinstance(result.exception, SystemExit)
