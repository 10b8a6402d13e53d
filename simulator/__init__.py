"""The simulator: everything that writes CoinPilot-shaped data (synthetic candles, the paper bot,
`seed`, the embedded demo and the Bot Brain test tool). The dashboard never imports it; only the
CLI, the tests and the benchmarks do. data/ stays "what the bot wrote, read"."""
