"""Idle logout: a session left open on a staff-room PC ends after the setting's minutes."""

from __future__ import annotations

import time

from textual.app import App
from textual.timer import Timer

# How often the idle countdown is compared with the clock: the logout comes at most this
# late after the setting.
IDLE_TICK_S = 1.0


class IdleLogout(App[None]):
    """The idle countdown of the app; ``idle_elapsed`` says what to do when it ends."""

    def __init__(self) -> None:
        super().__init__()
        self.idle_logout_seconds = 0.0
        self._idle_timer: Timer | None = None
        self._last_activity = time.monotonic()
        self.idle_checks = 0

    def set_idle_logout(self, seconds: float) -> None:
        """(Re)start the idle countdown with a period of ``seconds`` (0: never log out).

        A short ticker compares the monotonic clock with the last activity: a timer reset
        by each key would only restart at its next tick, so a session could stay open up
        to twice the setting (the passwords of a preview still on screen).
        """
        if self._idle_timer is not None:
            self._idle_timer.stop()
            self._idle_timer = None
        self.idle_logout_seconds = seconds
        self._last_activity = time.monotonic()
        if seconds > 0:
            self._idle_timer = self.set_interval(
                min(IDLE_TICK_S, seconds / 4), self._idle_tick, name="idle-logout"
            )

    def note_activity(self) -> None:
        """A key pressed: the idle countdown starts again."""
        self._last_activity = time.monotonic()

    def _idle_tick(self) -> None:
        """Log out once ``idle_logout_seconds`` have passed since the last activity."""
        if time.monotonic() - self._last_activity >= self.idle_logout_seconds:
            self.idle_elapsed()

    def idle_elapsed(self) -> None:
        """Hook: no key for ``idle_logout_seconds``."""
