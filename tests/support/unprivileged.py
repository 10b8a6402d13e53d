"""Running a check as a user whom file permissions bind.

The tests run as root on some machines, and root writes to a file whatever its mode says, so a
"read-only file" is only read-only to another user: the function runs in a forked child that
drops to `nobody` first (when the tests are not root, the child just runs it)."""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

NOBODY = 65534


def make_read_only(path: Path) -> None:
    """The file read-only for everyone, its directory open, as when an operator chmods the file."""
    path.chmod(0o444)
    path.parent.chmod(0o777)


def _child(connection, function, args, unprivileged):
    try:
        if unprivileged and os.geteuid() == 0:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        connection.send(("ok", function(*args)))
    except BaseException:  # noqa: BLE001 - the parent raises it with the child's traceback
        connection.send(("error", traceback.format_exc()))
    finally:
        connection.close()


def run_unprivileged(function: Callable[..., Any], *args, timeout: float = 60.0) -> Any:
    return run_forked(function, *args, timeout=timeout, unprivileged=True)


def run_forked(function: Callable[..., Any], *args, timeout: float = 60.0, unprivileged: bool = False) -> Any:
    """function(*args) in a forked child (as `nobody` if asked and root); its result, or its error."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, function, args, unprivileged))
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise AssertionError(f"the unprivileged child gave no answer within {timeout:g} s")
        outcome, value = receiver.recv()
    finally:
        child.join(timeout=10)
        if child.is_alive():
            child.kill()
    if outcome == "error":
        raise AssertionError(f"the unprivileged child failed:\n{value}")
    return value
