"""What a bench measures inside a served WSGI app, per SOAP operation, and serving it in a child.

:class:`Timed` adds up, per operation: calls, wall and CPU time inside the
application (the CPU of the serving thread, which other load on the machine
barely changes), SQL statements (when listening to an engine) and bytes of
request and response bodies, and how far the process's peak RSS rose during
its calls. :func:`serve` runs an app in a child process
(``spawn``: a fresh interpreter, so the figures are the server's own) and
answers the parent's commands over a pipe.
"""

from __future__ import annotations

import os
import resource
import time
from collections import defaultdict
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

NS = "http://developer.intuit.com/"
#: Operations reported on their own line; the rest are summed as "other".
MAIN_OPERATIONS = ("sendRequestXML", "receiveResponseXML")
FIGURES = ("seconds", "cpu", "calls", "statements", "bytes_in", "bytes_out", "rss_rise")


class Timed:
    """WSGI middleware adding up the figures of the module docstring, per SOAP operation.

    With ``profile`` set, a cProfile profiler runs during each request (the
    emulator sends one request at a time, so the per-thread profiler sees all).
    """

    def __init__(self, app: Any, profile: Any = None) -> None:
        self.app = app
        self.profile = profile
        self.reset()
        self._operation = "other"

    def reset(self) -> None:
        for name in FIGURES:
            setattr(self, name, defaultdict(float if name in ("seconds", "cpu") else int))

    def figures(self) -> dict[str, dict[str, float]]:
        return {name: dict(getattr(self, name)) for name in FIGURES}

    def count_statement(self, *_args: Any) -> None:
        """Engine ``before_cursor_execute`` listener: one more statement for the current call."""
        self.statements[self._operation] += 1

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        operation = environ.get("HTTP_SOAPACTION", "").strip('"').removeprefix(NS) or "other"
        self._operation = operation
        self.bytes_in[operation] += int(environ.get("CONTENT_LENGTH") or 0)
        started, cpu, peak = time.perf_counter(), time.thread_time(), peak_rss()
        if self.profile is not None:
            self.profile.enable()
        try:
            answer = list(self.app(environ, start_response))
        finally:
            if self.profile is not None:
                self.profile.disable()
            self.seconds[operation] += time.perf_counter() - started
            self.cpu[operation] += time.thread_time() - cpu
            self.calls[operation] += 1
            self.rss_rise[operation] += peak_rss() - peak
        self.bytes_out[operation] += sum(len(chunk) for chunk in answer)
        return answer


def serve(kind: str, url: str, work: str, profile_path: str, conn: Connection) -> None:
    """The child process: serve ``ours`` (the service on queue *url*) or ``floor`` until told to stop.

    Commands: ``("figures",)`` sends the figures since the last one (with the
    process's own CPU seconds, HTTP handling included, as ``process.cpu``, and on
    PostgreSQL the CPU seconds of the server's database backends as ``process.db_cpu``)
    and starts counting again; ``("records", n)`` sets the floor's records per session;
    ``("stop",)`` stops and sends the peak RSS.
    """
    import cProfile

    from sqlalchemy import event

    from qbwc_service.server import run_in_thread

    profile = cProfile.Profile() if profile_path else None
    backends: dict[int, float] = {}  # PostgreSQL backend pid -> its CPU seconds when last read
    if kind == "ours":
        from qbwc_service import config as config_mod
        from qbwc_service.queue import db as db_mod
        from qbwc_service.wsgi import create_app

        config = config_mod.from_mapping({"database": {"url": url}, "logging": {"level": "WARNING"}},
                                         Path(work) / "qbwc-service.toml")
        engine = db_mod.make_engine(url)
        app = Timed(create_app(config, sessions=db_mod.session_factory(engine)), profile)
        event.listen(engine, "before_cursor_execute", app.count_statement)
        if engine.dialect.name == "postgresql":
            event.listen(engine, "connect", lambda dbapi_conn, _record: _note_backend(dbapi_conn, backends))
    else:
        from floor_app import FloorApp

        floor = FloorApp(records=0)
        app = Timed(floor, profile)
    server = run_in_thread(app, threads=2)
    conn.send(server.url)
    since = time.process_time()
    while True:
        command = conn.recv()
        if command[0] == "figures":
            now = time.process_time()
            process = {"cpu": now - since}
            if backends:
                process["db_cpu"] = _backends_cpu(backends)
            conn.send({**app.figures(), "process": process})
            app.reset()
            since = now
        elif command[0] == "records":
            floor.records = command[1]
        else:
            break
    server.stop()
    if profile is not None:
        profile.dump_stats(profile_path)
    conn.send({"peak_rss": peak_rss()})


def _note_backend(dbapi_conn: Any, backends: dict[int, float]) -> None:
    """Remember a new PostgreSQL connection's backend process and its CPU time so far."""
    cursor = dbapi_conn.cursor()
    cursor.execute("SELECT pg_backend_pid()")
    pid = int(cursor.fetchone()[0])
    cursor.close()
    backends[pid] = _process_cpu(pid)


def _backends_cpu(backends: dict[int, float]) -> float:
    """CPU seconds the *backends* spent since last read (or connected); reads them again."""
    spent = 0.0
    for pid, before in list(backends.items()):
        now = _process_cpu(pid)
        spent += max(0.0, now - before)
        backends[pid] = now
    return spent


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a local process, from ``/proc`` (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss() -> int:
    """Peak resident set size of this process in bytes, from ``VmHWM``.

    Not ``ru_maxrss``: on Linux a child started with ``spawn`` inherits its
    parent's high-water mark through exec, so the server's figure would start at
    the bench process's (the demo database, planning) and grow with the scale.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def per_call(figures: dict[str, dict[str, float]], name: str, op: str) -> float:
    """*name* (``statements``, ``bytes_in``...) of *op* per call of it."""
    return figures[name].get(op, 0) / max(figures["calls"].get(op, 0), 1)


def message_line(figures: dict[str, dict[str, float]], ops: tuple[str, ...] = MAIN_OPERATIONS) -> str:
    """``op: request B / response B`` per call, for each of *ops*."""
    return "; ".join(f"{op} request {per_call(figures, 'bytes_in', op):,.0f} B / response "
                     f"{per_call(figures, 'bytes_out', op):,.0f} B" for op in ops)
