"""Who is logged in, and for which school they act, for the lifetime of the TUI."""

from __future__ import annotations

from dataclasses import dataclass

from cyclades_tui.services.actor import Actor


@dataclass(frozen=True)
class UiSession:
    """The logged-in staff member and the school the screens work on."""

    actor: Actor
    uai: str
    school_name: str
