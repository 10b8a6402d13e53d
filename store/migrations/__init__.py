"""The numbered migration steps of the store's schema, applied in order.

Each step is a module `mNNNN_<what>.py` with VERSION (= NNNN), SUMMARY (one line, stored in
schema_version) and upgrade(conn), which runs inside the upgrade's one transaction on SQLite
and PostgreSQL alike. A step is frozen once released: it declares the tables it creates itself
(never store.tables, which moves on with later steps), so replaying it on an empty store always
builds the same thing. A later issue adds a table by adding the next numbered module.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from sqlalchemy.engine import Connection

_STEP_NAME = re.compile(r"^m(\d{4})_[a-z0-9_]+$")


@dataclass(frozen=True)
class Migration:
    version: int
    summary: str
    upgrade: Callable[[Connection], None]


def discover(package: ModuleType) -> tuple[Migration, ...]:
    """Every step of `package`, in order; numbered 1, 2, 3 ... without gaps or repeats."""
    steps = []
    for info in pkgutil.iter_modules(package.__path__):
        match = _STEP_NAME.match(info.name)
        if match is None:
            raise ValueError(f"{package.__name__}: {info.name!r} is not named mNNNN_what")
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if int(match.group(1)) != module.VERSION:
            raise ValueError(f"{package.__name__}.{info.name}: VERSION {module.VERSION} differs from its name")
        steps.append(Migration(module.VERSION, module.SUMMARY, module.upgrade))
    steps.sort(key=lambda step: step.version)
    numbers = [step.version for step in steps]
    if numbers != list(range(1, len(steps) + 1)):
        raise ValueError(f"{package.__name__}: steps must be numbered 1..N without gaps, found {numbers}")
    return tuple(steps)


MIGRATIONS = discover(sys.modules[__name__])
