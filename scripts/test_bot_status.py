#!/usr/bin/env python3
"""Write test bot statuses into Redis to see the Bot Brain without a bot (the original
dashboard's scripts/test_bot_status.py). The same tool as `coinpilot-dashboard bot-status`:

    python scripts/test_bot_status.py KRW-BTC --action BUY --rsi 27.5
    python scripts/test_bot_status.py --help
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from dashboard.cli import settings_or_exit
from simulator.bot_status_tool import main

if __name__ == "__main__":
    # Redis from the dashboard's settings (REDIS_URL, or REDIS_HOST/REDIS_PORT) unless --redis-url.
    sys.exit(main(sys.argv[1:], lambda: settings_or_exit().redis_url))
