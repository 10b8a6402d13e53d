"""What the first load of every page downloads, decoded and on the wire, through the shipped
nginx config (deploy/nginx/coinpilot.conf) in front of the Docker image's gunicorn command.

    .venv/bin/python -m bench.page_weight [--direct] [--files 5]

Targets (issue 14): <= 2.5 MB decoded and <= 800 KB on the wire per page. `--direct` measures
gunicorn without nginx as well. Needs nginx and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.common import scratch_database
from data.database import Backend
from simulator.seeding import create_schema, write_history
from simulator.synthetic import generate_history
from simulator.writer import WritableDatabase
from tests.support.page_weight import PAGES, first_load
from tests.support.processes import Gunicorn, Nginx
from tests.support.services import REDIS_URL_BASE


def report(label: str, browser, base_url: str, files: int) -> None:
    print(f"\n{label}")
    print(f"{'page':<10} {'decoded KB':>11} {'wire KB':>9} {'files':>6}")
    for path, ready in PAGES.items():
        weight = first_load(browser, base_url, path, ready)
        print(f"{path:<10} {weight.decoded / 1000:>11.0f} {weight.wire / 1000:>9.0f} {len(weight.files):>6}")
        for name, decoded, wire in weight.largest(files):
            print(f"{'':<10} {decoded / 1000:>11.0f} {wire / 1000:>9.0f}   {name[:90]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--direct", action="store_true", help="also measure gunicorn without nginx")
    parser.add_argument("--files", type=int, default=5, help="largest files listed per page")
    args = parser.parse_args()
    with scratch_database("cp_bench_weight") as url, tempfile.TemporaryDirectory() as work:
        writer = WritableDatabase(url)
        create_schema(writer.engine, Backend.POSTGRESQL)
        history = generate_history(["KRW-BTC", "KRW-ETH"], 2, datetime.now(UTC), seed=9)
        write_history(writer.engine, Backend.POSTGRESQL, history)
        writer.dispose()
        # The dashboard only reads Redis, so any database number does.
        environment = {"DATABASE_URL": url, "REDIS_URL": f"{REDIS_URL_BASE}/14", "N8N_URL": ""}
        with (
            Gunicorn(environment, Path(work)).start() as gunicorn,
            Nginx("coinpilot.conf", [gunicorn.port], Path(work) / "nginx").start() as nginx,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            report("through nginx (deploy/nginx/coinpilot.conf)", browser, nginx.url, args.files)
            if args.direct:
                report("gunicorn directly", browser, gunicorn.url, args.files)
            browser.close()


if __name__ == "__main__":
    main()
