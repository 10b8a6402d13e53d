"""How long `coinpilot-dashboard seed` takes for one year of 1-minute candles of one symbol.

.venv/bin/python -m bench.seed_year
"""

from __future__ import annotations

import subprocess
import sys
import time

from bench.common import scratch_database


def main() -> None:
    with scratch_database("cp_seed_year") as url:
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "dashboard.cli",
                "seed",
                "--database-url",
                url,
                "--days",
                "365",
                "--symbols",
                "KRW-BTC",
            ],
            check=True,
            stderr=subprocess.PIPE,
        )
        elapsed = time.perf_counter() - started
    print(f"seed: 1 year x 1 symbol (525,600 candles + the paper bot's orders): {elapsed:.1f} s wall clock")


if __name__ == "__main__":
    main()
