"""windows-service: the WinSW file, checked with Windows paths on any system."""

from __future__ import annotations

from pathlib import PureWindowsPath

from click.testing import CliRunner
from lxml import etree

from qbwc_service import config, windows_service
from qbwc_service.cli import main

VENV = PureWindowsPath(r"C:\Program Files\qbwc-service\.venv")
DATA = config.default_data_dir("win32", {"PROGRAMDATA": r"C:\ProgramData"})


def parse(data: bytes) -> etree._Element:
    assert data.endswith(b"</service>\n")
    return etree.fromstring(data)


def test_the_service_runs_serve_with_the_data_folders_configuration():
    exe = windows_service.installed_executable(VENV / "Scripts" / "python.exe", windows=True)
    spec = windows_service.ServiceSpec(executable=exe, config_path=DATA / config.DEFAULT_CONFIG_NAME,
                                       environment={"SHOP_JOBBOSS_URL": "mssql+pyodbc://u:p@h/JB"})
    root = parse(windows_service.winsw_xml(spec))
    assert root.findtext("id") == "qbwc-service"
    assert root.findtext("executable") == r"C:\Program Files\qbwc-service\.venv\Scripts\qbwc-service.exe"
    # Windows' own quoting: the path with a space stays one argument.
    assert root.findtext("arguments") == r"--config C:\ProgramData\qbwc-service\qbwc-service.toml serve"
    assert root.findtext("workingdirectory") == r"C:\ProgramData\qbwc-service"
    assert root.findtext("logpath") == r"C:\ProgramData\qbwc-service\logs"
    assert root.find("log").get("mode") == "roll-by-size" and int(root.findtext("log/keepFiles")) > 0
    assert root.findtext("startmode") == "Automatic" and root.findtext("delayedAutoStart") == "true"
    restarts = root.findall("onfailure")
    assert restarts and all(r.get("action") == "restart" for r in restarts)
    assert root.findtext("resetfailure") and root.findtext("stoptimeout")
    [env] = root.findall("env")
    assert (env.get("name"), env.get("value")) == ("SHOP_JOBBOSS_URL", "mssql+pyodbc://u:p@h/JB")


def test_a_configuration_path_with_spaces_is_quoted():
    spec = windows_service.ServiceSpec(executable=PureWindowsPath(r"C:\q\qbwc-service.exe"),
                                       config_path=PureWindowsPath(r"D:\Shop Data\sync\qbwc-service.toml"))
    root = parse(windows_service.winsw_xml(spec))
    assert root.findtext("arguments") == r'--config "D:\Shop Data\sync\qbwc-service.toml" serve'
    assert root.findtext("workingdirectory") == r"D:\Shop Data\sync"


def test_print_uses_the_configuration_given(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOP_JOBBOSS_URL", "env-value")
    cfg = tmp_path / "qbwc-service.toml"
    result = CliRunner().invoke(main, ["--config", str(cfg), "windows-service", "--print",
                                       "--exe", r"/opt/q/bin/qbwc-service", "--env", "SHOP_JOBBOSS_URL"])
    assert result.exit_code == 0, result.output
    root = parse(result.output.encode())
    assert root.findtext("arguments") == f"--config {PureWindowsPath(cfg)} serve"
    assert root.find("env").get("value") == "env-value"


def test_an_unset_env_variable_and_a_missing_target_are_usage_errors(tmp_path):
    runner = CliRunner()
    unset = runner.invoke(main, ["windows-service", "--print", "--env", "NOT_SET_ANYWHERE_42"])
    assert unset.exit_code == 2 and "NOT_SET_ANYWHERE_42" in unset.output
    neither = runner.invoke(main, ["windows-service"])
    assert neither.exit_code == 2 and "--print" in neither.output


def test_output_file_is_not_overwritten_without_force(tmp_path):
    target = tmp_path / "qbwc-service.xml"
    args = ["--config", str(tmp_path / "c.toml"), "windows-service", "-o", str(target)]
    assert CliRunner().invoke(main, args).exit_code == 0
    parse(target.read_bytes())
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1 and "--force" in again.output
    assert CliRunner().invoke(main, [*args, "--force"]).exit_code == 0
