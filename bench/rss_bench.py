"""The server's own peak RSS over a full sync (issue 17: under 200 MB, flat from 1k to 50k).

``bench/sync_bench.py`` reads its server's peak from ``getrusage``'s ``ru_maxrss``,
but on Linux a child started with ``spawn`` (vfork + exec) inherits the parent's
high-water mark through exec: the server's figure starts at the bench process's
RSS when it was started (the demo database and planning; more the larger the
scale), and the rise per callback stays 0 until the server outgrows it. This
runs the same bench with the server's peak read from ``VmHWM`` in
``/proc/self/status`` instead: the peak of the server's own address space.

    .venv/bin/python bench/rss_bench.py [--scale 10] [--batch 50] [--db URL]
"""

from __future__ import annotations

from multiprocessing.connection import Connection
from pathlib import Path

import sync_bench


def own_peak_rss() -> int:
    """This process's peak RSS in bytes since its exec (``VmHWM``), else ``ru_maxrss``'s."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return _inherited_peak_rss()
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return _inherited_peak_rss()


_inherited_peak_rss = sync_bench._peak_rss
_serve = sync_bench.serve


def serve(url: str, work: str, profile_path: str, conn: Connection) -> None:
    """The bench's server child, its peak RSS (and the rise per callback) read from VmHWM."""
    sync_bench._peak_rss = own_peak_rss
    _serve(url, work, profile_path, conn)


if __name__ == "__main__":
    sync_bench.serve = serve  # looked up when main() starts the child
    sync_bench.main()
