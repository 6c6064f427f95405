"""Issue 16: dialogs never leave a lone « ? » line nor a guillemet apart from its word."""

from __future__ import annotations

import re

import pytest
from textual.app import App, ComposeResult

from cyclades_tui.ui.widgets.french_text import french_wrap
from cyclades_tui.ui.widgets.modals import ConfirmModal

QUESTION = (
    "Régénérer le mot de passe de « Dupont-Fontaine Marie-Charlotte » (INE "
    "0922121676V, 3B) ? L'ancien mot de passe ne fonctionnera plus : imprimez le "
    "nouveau papillon « Papillon de connexion » ?"
)


def assert_french_lines(lines: list[str]) -> None:
    for line in lines:
        stripped = line.strip()
        assert stripped not in ("?", "»", "«", ":"), lines
        assert not stripped.startswith(("»", "?", ":")), lines
        assert not re.search(r"«\s*$", stripped), lines


@pytest.mark.parametrize("width", range(30, 80))
def test_french_wrap_ties_guillemets_and_question_marks(width: int) -> None:
    lines = french_wrap(QUESTION, width).split("\n")
    assert_french_lines(lines)
    assert " ".join(" ".join(lines).replace("\u00a0", " ").split()) == " ".join(QUESTION.split())


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        return iter(())


@pytest.mark.parametrize("size", [(80, 24), (50, 24), (120, 40)])
async def test_confirm_dialog_lines_through_pilot(size: tuple[int, int]) -> None:
    app = _Host()
    async with app.run_test(size=size) as pilot:
        app.push_screen(ConfirmModal(QUESTION, "Générer"))
        await pilot.pause()
        question = app.screen.query_one(".question")
        region = question.content_region
        strips = app.screen._compositor.render_strips()
        lines = ["".join(s.text for s in strip)[region.x : region.right] for strip in strips][
            region.y : region.bottom
        ]
        assert_french_lines(lines)
        shown = " ".join(" ".join(lines).replace("\u00a0", " ").split())
        assert shown == " ".join(QUESTION.split())
