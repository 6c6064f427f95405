"""Starting the TUI: the database it works on opened (with ``--demo``, the demo's, seeded),
the settings made to name it, then the Textual app run until the user quits.

Everything here but the last call is free of Textual: ``ui/app.py`` only builds and runs the
app, on what this start-up resolved once.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, replace

from cyclades_tui.services import staff_login
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.db_session import connect
from cyclades_tui.services.demo import DEMO_STAFF, demo_url, seed_demo
from cyclades_tui.settings import Settings


@dataclass(frozen=True)
class TuiStart:
    """What the TUI starts with: the settings, whose ``db`` is the database opened (the
    demo's with ``--demo``), and the demo's staff member to open logged in as (else None)."""

    settings: Settings
    demo_actor: Actor | None = None


def open_for_tui(db_url: str | None, demo: bool, settings: Settings) -> TuiStart:
    """Open the database the TUI works on: ``settings.db``, or with ``demo`` the demo's,
    seeded (or topped up).

    ``db_url`` is an explicit ``--db`` only. The demo never goes into $CYCLADES_DB (an
    academy's real database): only into an explicit --db or the user's own demo file.
    """
    if not demo:
        connect(settings.db, busy_ms=settings.sqlite_busy_ms)
        return TuiStart(settings)
    in_use = replace(settings, db=db_url or demo_url())
    connect(in_use.db, busy_ms=in_use.sqlite_busy_ms)
    seed_demo(settings=in_use)
    return TuiStart(in_use, staff_login.actor_for(DEMO_STAFF))


def run_tui(db_url: str | None, demo: bool, settings: Settings) -> int:
    """Open the database, then start the Textual interface; the exit status."""
    # A dropped SSH connection hangs the terminal up: the session must end there and then,
    # even if our parent ignored SIGHUP (nohup, some wrappers). The kernel's default action
    # ends the process at once, threads included; every write is one transaction, so the
    # database stays as if the interrupted work had finished or not started.
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    start = open_for_tui(db_url, demo, settings)
    # Textual is loaded only for the TUI: every other command starts faster without it.
    from cyclades_tui.ui.app import run

    return run(start.settings, start.demo_actor)
