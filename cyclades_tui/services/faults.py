"""Fault injection points, so that tests can kill a real process at an exact moment.

``CYCLADES_FAULT=<point>`` makes the process SIGKILL itself when it reaches ``<point>``:
the crash tests use it to stop a generation in the middle of hashing, or inside its write
transaction, and check that the database is left as if it had not started.
"""

from __future__ import annotations

import os
import signal

ENV_VAR = "CYCLADES_FAULT"


def checkpoint(point: str) -> None:
    """Die on the spot (SIGKILL, no clean-up) when ``CYCLADES_FAULT`` names this point."""
    if os.environ.get(ENV_VAR) == point:
        os.kill(os.getpid(), signal.SIGKILL)
