"""Large SOAP bodies without a valid ticket: the server's memory and whether it stays responsive.

Starts ``qbwc-service serve`` in a child process on loopback (a temporary
SQLite queue), then posts N receiveResponseXML bodies of M MB each at once,
all with a ticket that does not exist (what anyone can send without a
password), while another thread asks ``/healthz`` every 100 ms.

Printed: the HTTP status of each large post (or the transport error when the
server closed the connection before reading the body), the server's resident
memory before, at its peak (``VmHWM``, the kernel's high-water mark, plus a
20 ms sampler) and a few seconds after, and the slowest ``/healthz`` answer
while the bodies were in flight. Linux only (``/proc``).

    .venv/bin/python bench/memory_bench.py [--count 8] [--mb 48] [--threads 8]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psutil
from serving import start_serve

NS = "http://developer.intuit.com/"
#: QuickBooks' answer travels escaped inside <response>; this is one record of it.
RECORD = "&lt;CustomerRet&gt;&lt;Name&gt;Bench&lt;/Name&gt;&lt;/CustomerRet&gt;"


def body(megabytes: int) -> bytes:
    """A receiveResponseXML envelope of about *megabytes* MB with an unknown ticket."""
    head = (f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
            f'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            f'<receiveResponseXML xmlns="{NS}"><ticket>no-such-ticket</ticket><response>')
    tail = "</response><hresult/><message/></receiveResponseXML></soap:Body></soap:Envelope>"
    repeats = megabytes * 2**20 // len(RECORD)
    return (head + RECORD * repeats + tail).encode("utf-8")


def start_server(work: Path, threads: int) -> tuple[subprocess.Popen[bytes], str]:
    return start_serve(work, f'[logging]\nlevel = "WARNING"\n\n[server]\nthreads = {threads}\n')


def post(host: str, port: int, data: bytes, out: list[str]) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=300)
    try:
        conn.request("POST", "/qbwc", data, {"Content-Type": "text/xml; charset=utf-8",
                                             "SOAPAction": f'"{NS}receiveResponseXML"'})
        response = conn.getresponse()
        response.read()
        out.append(str(response.status))
    except OSError as exc:
        out.append(type(exc).__name__)
    finally:
        conn.close()


def watch_health(host: str, port: int, stop: threading.Event, latencies: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(host, port, timeout=60)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
        except OSError:
            pass
        latencies.append(time.perf_counter() - started)
        stop.wait(0.1)


def sample_rss(process: psutil.Process, stop: threading.Event, peak: list[int]) -> None:
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], process.memory_info().rss)
        except psutil.Error:
            return
        stop.wait(0.02)


def high_water_mark(pid: int) -> int:
    """Peak RSS of *pid* in bytes, as the kernel counted it."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) * 1024  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=8, help="large bodies posted at once")
    parser.add_argument("--mb", type=int, default=48, help="size of each body in MB")
    parser.add_argument("--threads", type=int, default=16, help="server.threads of the server")
    args = parser.parse_args()
    data = body(args.mb)
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as tmp:
        proc, url = start_server(Path(tmp), args.threads)
        host, port = url.removeprefix("http://").rsplit(":", 1)
        try:
            server = psutil.Process(proc.pid)
            post(host, int(port), b"<warm-up/>", [])
            time.sleep(1)
            before = server.memory_info().rss
            stop, peak, latencies, statuses = threading.Event(), [before], [], []
            watchers = [threading.Thread(target=sample_rss, args=(server, stop, peak)),
                       threading.Thread(target=watch_health, args=(host, int(port), stop, latencies))]
            for thread in watchers:
                thread.start()
            started = time.perf_counter()
            posters = [threading.Thread(target=post, args=(host, int(port), data, statuses))
                       for _ in range(args.count)]
            for thread in posters:
                thread.start()
            for thread in posters:
                thread.join()
            elapsed = time.perf_counter() - started
            stop.set()
            for thread in watchers:
                thread.join()
            time.sleep(3)
            after = server.memory_info().rss
            hwm = high_water_mark(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    mb = 2**20
    print(f"{args.count} bodies of {len(data) / mb:.0f} MB with an unknown ticket, server.threads "
          f"{args.threads}: answered in {elapsed:.1f} s")
    print("answers: " + ", ".join(f"{status} x{n}" for status, n in sorted(Counter(statuses).items())))
    print(f"server RSS: before {before / mb:.0f} MB, peak {max(hwm, peak[0]) / mb:.0f} MB, "
          f"3 s after {after / mb:.0f} MB")
    print(f"/healthz while in flight: {len(latencies)} answers, slowest {max(latencies):.2f} s, "
          f"median {sorted(latencies)[len(latencies) // 2]:.3f} s")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
