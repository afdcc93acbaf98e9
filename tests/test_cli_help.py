"""Every command's --help reads as plain text, with one wording for --user."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from qbwc_service.cli import main
from qbwc_service.cli.app import USER_HELP

#: reStructuredText / Sphinx markup that must not leak from docstrings into help.
MARKUP = ("``", ":mod:", ":class:", ":func:", ":data:", ":meth:")


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


ALL = sorted(commands())


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_help_has_no_markup(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert not [m for m in MARKUP if m in result.output], result.output


@pytest.mark.parametrize("path", [p for p in ALL if any(
    o.name == "user_name" for o in command_at(p).params)], ids=" ".join)
def test_user_option_has_one_wording(path):
    option = next(o for o in command_at(path).params if o.name == "user_name")
    assert option.opts == ["--user"]
    assert option.help.startswith(USER_HELP)


def test_country_default_is_shown_as_typed():
    result = CliRunner().invoke(main, ["simulate", "--help"])
    assert "[US|CA|UK]" in result.output and "[default: US]" in result.output
