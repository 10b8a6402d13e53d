"""The data layer: CoinPilot's tables, the queries over them, the Redis status reader and the
metrics. Nothing here imports Dash; the pages above only lay out what these functions return."""
