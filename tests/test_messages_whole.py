"""Issue 16: every message is readable to its last word at 80x24.

The message line was two rows high: « …le compte est verrouillé 15 » lost « minute(s). »,
the paused printer's advice was hidden. Each long message the app can show (built from the
services' own constants and functions) is shown in every screen's message line through
Pilot at 80x24, and the screen's text is read back: the whole message is there, above the
footer.
"""

from __future__ import annotations

import pytest
from textual.widgets import Static

from cyclades_tui.services.access import SERVICE_MISSING
from cyclades_tui.services.staff_login import refusal_message
from cyclades_tui.settings import Settings
from cyclades_tui.ui.actions import ACTIVITIES
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.screens.base import BaseScreen
from tests.helpers import FAST_SETTINGS
from tests.long_messages import long_messages
from tests.ui_helpers import settle


def words(text: str) -> list[str]:
    return text.replace("\u00a0", " ").split()


def assert_french_breaks(rows: list[str]) -> None:
    """No line ends on an opening guillemet, starts with a closing one, or holds a lone « ? »."""
    for row in (r.strip() for r in rows):
        assert not row.endswith("«") and not row.startswith(("»", "?", ":", "!")), rows


def message_rows(app: CycladesApp) -> tuple[list[str], int]:
    """The rows of the screen under the message line, as text, and the line's bottom."""
    widget = app.screen.query_one("#message", Static)
    region = widget.region
    strips = app.screen._compositor.render_strips()
    rows = ["".join(s.text for s in strip)[region.x : region.right] for strip in strips]
    return rows[region.y : region.bottom], region.bottom


@pytest.mark.parametrize("activity", [a.id for a in ACTIVITIES])
async def test_every_long_message_is_whole_at_80x24(school_db: str, activity: str) -> None:
    from cyclades_tui.services import staff_login

    app = CycladesApp(
        db_url=school_db, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_activity(activity)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BaseScreen)
        for message in long_messages():
            screen.show_error(message)
            await pilot.pause()
            rows, bottom = message_rows(app)
            assert bottom <= 23, (activity, message)  # above the footer
            assert words(" ".join(rows)) == words(message), (activity, rows)
            assert_french_breaks(rows)


async def test_login_refusal_is_whole_at_80x24(school_db: str) -> None:
    app = CycladesApp(db_url=school_db, settings=FAST_SETTINGS)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BaseScreen)
        for message in (refusal_message(Settings()), SERVICE_MISSING):
            screen.show_error(message)
            await pilot.pause()
            rows, bottom = message_rows(app)
            assert bottom <= 24
            assert words(" ".join(rows)) == words(message), rows
            assert_french_breaks(rows)
