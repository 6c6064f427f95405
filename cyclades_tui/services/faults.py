"""Fault injection points, so that tests can kill a real process at an exact moment.

``CYCLADES_FAULT=<point>`` makes the process SIGKILL itself when it reaches ``<point>``:
the crash tests use it to stop a generation in the middle of hashing, or inside its write
transaction, and check that the database is left as if it had not started.
``CYCLADES_FAULT=hold:<point>`` stops the thread there for good instead, after creating the
file ``$CYCLADES_FAULT_MARK``: the hang-up tests cut the terminal at that exact moment.
"""

from __future__ import annotations

import os
import signal
import threading

ENV_VAR = "CYCLADES_FAULT"
MARK_VAR = "CYCLADES_FAULT_MARK"


def checkpoint(point: str) -> None:
    """Die on the spot (SIGKILL, no clean-up) when ``CYCLADES_FAULT`` names this point."""
    wanted = os.environ.get(ENV_VAR)
    if wanted == point:
        os.kill(os.getpid(), signal.SIGKILL)
    if wanted == f"hold:{point}":
        mark = os.environ.get(MARK_VAR)
        if mark:
            with open(mark, "w", encoding="utf-8") as file:
                file.write(point)
        threading.Event().wait()  # until the process is ended from outside
