"""Issue 16: columns shown whole or not at all (« Mes candidats », the Journal).

At 80 columns « Né » showed two digits of a date; at 120 INEs lost their last letter;
« non éligible (état » was cut at both widths. The rows are read as drawn.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cyclades_tui.services import schools, staff, staff_login
from cyclades_tui.services.actor import operator
from cyclades_tui.services.csv_import import import_csv
from cyclades_tui.services.db_session import connect
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.widgets.virtual_table import VirtualTable
from tests.helpers import FAST_SETTINGS, bea, csv_bytes
from tests.ui_helpers import settle

UAI = "0392689L"
ROWS = [
    f"{bea(1)};Martin;;Léa;;02/02/2008;TBCP;BCP;Pré-inscrit",
    f"{bea(2)};Petit;;Tom;;03/03/2008;TG1;BGT;Pré-inscrit",
    f"{bea(3)};Roux;;Inès;;04/04/2011;3A;DNB;En cours d'inscription",
    f"{bea(4)};Dupont-Fontaine-Beaumarchais;;Marie-Charlotte;;05/05/2011;3B;DNB;Inscrit",
]


@pytest.fixture
def school(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ecole.db'}"
    connect(url)
    schools.add_school(operator(), UAI, "Lycée Pasteur")
    schools.set_service(operator(), UAI, True)
    staff.add_staff(operator(), "secretariat", "un mot de passe long", UAI, settings=FAST_SETTINGS)
    import_csv(operator(), UAI, csv_bytes(*ROWS))
    return url


def drawn(table: VirtualTable) -> list[str]:
    return [table.render_line(y).text for y in range(1, table.row_count + 1)]


def assert_whole_or_absent(line: str, value: str) -> None:
    """``value`` is in ``line`` whole, or no 3-character start of it is at a cell's end."""
    if value in line:
        return
    for cut in range(3, len(value)):
        assert not re.search(re.escape(value[:cut]) + r"(\s*$|  )", line), (value, line)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_candidates_columns_are_whole(school: str, size: tuple[int, int]) -> None:
    app = CycladesApp(
        db_url=school, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=size) as pilot:
        app.open_activity("candidates")
        await settle(pilot)
        table = app.screen.query_one("#candidates", VirtualTable)
        lines = drawn(table)
        assert len(lines) == 4
        text = "\n".join(lines)
        assert "non éligible (examen)" in text and "non éligible (état)" in text
        for row in ROWS:
            ine, _, _, _, _, birth = row.split(";")[:6]
            for line in lines:
                assert_whole_or_absent(line, ine)
                assert_whole_or_absent(line, birth)
        if size[0] >= 120:  # a wide terminal shows the date of birth and the INE whole
            assert all(re.search(r"\d\d/\d\d/\d{4}", line) for line in lines)
            assert all(re.search(r"\d{10}[A-Z]", line) for line in lines)
        # → brings the hidden columns in, whole.
        table.focus()
        table.scroll_to(x=table.virtual_size.width, animate=False)
        await settle(pilot)
        for line in drawn(table):
            assert re.search(r"\d{10}[A-Z]", line)
        header = table.render_line(0).text
        assert "INE" in header


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_journal_detail_is_shown_whole(school: str, size: tuple[int, int]) -> None:
    app = CycladesApp(
        db_url=school, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=size) as pilot:
        app.open_activity("journal")
        await settle(pilot)
        table = app.screen.query_one("#journal", VirtualTable)
        details = [row[3] for row in table.rows]
        assert details
        for line, detail in zip(drawn(table), details, strict=False):
            # Whole, or visibly shortened with « … » (never cut silently).
            assert detail in line or "…" in line, (detail, line)
        await pilot.press("down", "up")
        await settle(pilot)
        message = str(app.screen.query_one("#message").render())
        assert details[0] in " ".join(message.split())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_generate_pending_list_shows_whole_ines(school: str, size: tuple[int, int]) -> None:
    app = CycladesApp(
        db_url=school, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=size) as pilot:
        app.open_activity("generate")
        await settle(pilot)
        table = app.screen.query_one("#pending", VirtualTable)
        lines = drawn(table)
        assert len(lines) == 2  # the BCP « Pré-inscrit » and the « Inscrit » DNB pupil
        for line in lines:
            assert re.search(r"\d{10}[A-Z]", line), line
            assert line.rstrip().endswith(("Inscrit", "Pré-inscrit")), line
