"""``qbwc-service serve`` for a bench: a child process on a free loopback port."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

Reader = Callable[[IO[bytes]], object]


def start_serve(work: Path, config_text: str,
                read_output: Reader | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Write *config_text* as the configuration in *work* and serve it; return the process and its URL.

    Once the server is ready, *read_output* reads the rest of its standard error in a thread
    (by default it is read and dropped, so the pipe never fills).
    """
    config = work / "qbwc-service.toml"
    config.write_text(config_text, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "qbwc_service", "--config", str(config), "serve",
                             "--port", "0"], stderr=subprocess.PIPE, cwd=work)
    assert proc.stderr is not None
    for raw in proc.stderr:
        found = re.search(r"listening on (http://[\d.]+:\d+)", raw.decode(errors="replace"))
        if found:
            threading.Thread(target=read_output or (lambda stream: stream.read()), args=(proc.stderr,),
                             daemon=True).start()
            return proc, found.group(1)
    raise SystemExit("the server did not start")
