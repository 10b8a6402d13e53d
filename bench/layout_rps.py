"""Requests per second one gunicorn worker serves for /_dash-layout (the first request of
every page load), through the production gunicorn config.

    .venv/bin/python -m bench.layout_rps [--seconds 10] [--connections 8]

Uses wrk (Debian package) when installed, else a threaded keep-alive client in Python
(which itself costs CPU on this 2-core machine, so it under-reports).
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import subprocess
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import scratch_database
from data.database import Backend
from simulator.seeding import create_schema, write_history
from simulator.synthetic import generate_history
from simulator.writer import WritableDatabase
from tests.support.processes import Gunicorn


def python_client(port: int, seconds: float, connections: int) -> float:
    done = [0] * connections
    stop = time.monotonic() + seconds

    def worker(index: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop:
            conn.request("GET", "/_dash-layout")
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            done[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def wrk_client(port: int, seconds: float, connections: int) -> float:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", f"http://127.0.0.1:{port}/_dash-layout"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output:
        raise SystemExit("wrk saw non-2xx responses:\n" + output)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    with scratch_database("cp_bench_layout") as url, tempfile.TemporaryDirectory() as logs:
        writer = WritableDatabase(url)
        create_schema(writer.engine, Backend.POSTGRESQL)
        write_history(writer.engine, Backend.POSTGRESQL, generate_history(["KRW-BTC"], 1, datetime.now(UTC)))
        writer.dispose()
        environment = {"DATABASE_URL": url, "N8N_URL": "", "GUNICORN_ACCESS_LOG": "/dev/null"}
        with Gunicorn(environment, Path(logs), workers=1).start() as gunicorn:
            client = wrk_client if shutil.which("wrk") else python_client
            client(gunicorn.port, 2, args.connections)  # warm-up
            rps = client(gunicorn.port, args.seconds, args.connections)
    print(
        f"/_dash-layout: {rps:,.0f} requests/s from one gthread worker (4 threads), "
        f"{args.connections} connections, {client.__name__.replace('_client', '')} client"
    )


if __name__ == "__main__":
    main()
