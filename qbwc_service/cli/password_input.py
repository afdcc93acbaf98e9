"""Reading a password for ``user add``, ``user passwd`` and ``simulate``.

In order: the first line of standard input with ``--password-stdin``, else
the environment variable ``QBWC_PASSWORD`` (taken exactly as set), else a
hidden prompt. Windows' cmd.exe turns ``echo secret | ...`` into ``secret ``
(a trailing space) and ``echo 'secret'`` into ``'secret'`` (quotes kept), so
trailing spaces are dropped from a piped line and a line wrapped in quotes is
refused with a hint, instead of silently storing a password nobody types.
"""

from __future__ import annotations

import os
import sys

import click

PASSWORD_ENV = "QBWC_PASSWORD"
STDIN_HELP = (f"Read the password from the first line of standard input (trailing spaces dropped); "
              f"without it: ${PASSWORD_ENV} if set, else a prompt.")
QUOTES = ("'", '"')


def read_password(from_stdin: bool, *, confirm: bool = True) -> str:
    """The password, from stdin, ``$QBWC_PASSWORD`` or a prompt (typed twice when *confirm*)."""
    if from_stdin:
        password = stdin_password(sys.stdin.readline())
    elif os.environ.get(PASSWORD_ENV):
        password = os.environ[PASSWORD_ENV]
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=confirm, default="",
                                show_default=False)
    if not password:
        raise click.ClickException("the password must not be empty")
    return password


def stdin_password(line: str) -> str:
    """The password on *line*: line end and trailing spaces dropped; quotes around it refused."""
    if not line:
        raise click.UsageError("--password-stdin: standard input is empty")
    password = line.rstrip("\r\n").rstrip(" ")
    if len(password) >= 2 and password[0] == password[-1] and password[0] in QUOTES:
        raise click.UsageError(
            "--password-stdin: the password arrived wrapped in quotes, as Windows' cmd.exe echo passes "
            f"them on; echo it without quotes, set {PASSWORD_ENV} instead, or type it at the prompt")
    return password
