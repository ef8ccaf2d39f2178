"""Networks, the time spent on them and what came back, and the interaction tallies behind them."""
