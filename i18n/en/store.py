"""The dashboard's own store (store/): why it cannot be written, for the System page and the CLI."""

MESSAGES = {
    "store.unreachable": "The dashboard's store at {where} cannot be reached: {detail}",
    "store.read_only": "The dashboard's store at {where} cannot be written: {detail}",
    "store.busy": "The dashboard's store at {where} stayed locked past its timeout: {detail}",
    "store.failed": "The dashboard's store at {where} failed: {detail}",
    "store.empty": (
        "The dashboard's store has no tables yet: start-up creates them, or coinpilot-dashboard store upgrade."
    ),
    "store.no_file": "The store's file does not exist yet: the dashboard creates it at start-up.",
    "store.outdated": (
        "The dashboard's store is at schema version {found} and this dashboard needs {supported}: "
        "run coinpilot-dashboard store upgrade."
    ),
    "store.newer": (
        "The dashboard's store is at schema version {found}, newer than this dashboard's {supported}: "
        "it is not written. Upgrade the dashboard, or point DASHBOARD_STORE_URL at another store."
    ),
    "store.bot_database": (
        "{where} holds the bot's tables ({tables}): the dashboard's store needs a database of its own, "
        "so nothing was written there."
    ),
}
