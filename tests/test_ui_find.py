"""Finding a pupil again: « Regénérer » by INE or by name, with the real reason of a refusal."""

from __future__ import annotations

import asyncio
import subprocess
import threading
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from cyclades_tui.services import account_generation, account_regeneration
from cyclades_tui.services.actor import operator
from cyclades_tui.services.candidates import list_candidates
from cyclades_tui.services.demo import DEMO_UAI
from cyclades_tui.services.errors import Refused
from cyclades_tui.store.models import Candidature
from cyclades_tui.ui.screens.regenerate import RegenerateScreen
from cyclades_tui.ui.widgets.modals import ConfirmModal
from tests.helpers import FAST_SETTINGS, SIZE
from tests.ui_helpers import demo_app, settle, text_of


def test_a_pupil_who_will_never_get_an_account_is_told_why(demo_url: str) -> None:
    view = next(v for v in list_candidates(operator(), DEMO_UAI) if not v.eligible)
    with pytest.raises(Refused) as refused:
        account_regeneration.find_for_regeneration(operator(), DEMO_UAI, view.ine, None)
    assert "n'est pas éligible" in refused.value.message
    assert "générez d'abord" not in refused.value.message


def test_a_pre_registered_pupil_searched_as_registered_is_told_her_state(demo_url: str) -> None:
    first = list_candidates(operator(), DEMO_UAI)[0]
    Candidature.update(state="Pré-inscrit", exam="BCP").where(
        Candidature.candidate == first.candidate_id
    ).execute()
    with pytest.raises(Refused) as refused:
        account_regeneration.find_for_regeneration(operator(), DEMO_UAI, first.ine, "inscrit")
    assert "est « Pré-inscrit » en BCP : choisissez l'état « Pré-inscrit »" in refused.value.message


async def test_regenerate_finds_a_pupil_by_name(demo_url: str) -> None:
    account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS)
    nakamura = next(v for v in list_candidates(operator(), DEMO_UAI) if v.family_name == "Nakamura")
    assert nakamura.login
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", *"nakamura")
        await settle(pilot)
        assert isinstance(app.screen, RegenerateScreen)
        shown = text_of(pilot, "#candidate")
        assert nakamura.login in shown and nakamura.ine in shown
        await pilot.press("ctrl+g")
        assert isinstance(app.screen, ConfirmModal)


async def test_homonyms_are_listed_with_their_birth_dates(demo_url: str) -> None:
    account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS)
    aubins = [
        v
        for v in list_candidates(operator(), DEMO_UAI)
        if v.family_name == "Aubin" and v.first_name == "Antoine"
    ]
    assert len(aubins) == 3
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", *"aubin antoine")
        await settle(pilot)
        matches = app.screen.query_one("#matches", OptionList)
        assert matches.display and matches.option_count == 3
        lines = [str(matches.get_option_at_index(i).prompt) for i in range(3)]
        for view in aubins:
            assert any(view.birth_label in line and view.ine in line for line in lines)
        await pilot.press("tab", "down", "enter")
        await settle(pilot)
        chosen = text_of(pilot, "#candidate")
        assert sum(view.ine in chosen for view in aubins) == 1


async def test_tab_then_enter_picks_the_first_of_several_pupils(demo_url: str) -> None:
    account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS)
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", *"aubin antoine")
        await settle(pilot)
        matches = app.screen.query_one("#matches", OptionList)
        assert matches.option_count == 3
        first = str(matches.get_option_at_index(0).prompt)
        # What a secretary does when told « Tab puis flèches et Entrée »: no arrow.
        await pilot.press("tab", "enter")
        await settle(pilot)
        ine = next(word for word in first.split() if len(word) == 11 and word[:10].isdigit())
        assert ine in text_of(pilot, "#candidate")


async def test_a_stale_look_up_is_dropped(demo_url: str) -> None:
    account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS)
    views = [v for v in list_candidates(operator(), DEMO_UAI) if v.login]
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", *views[1].ine)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RegenerateScreen)
        assert screen.candidate is not None and screen.candidate.ine == views[1].ine
        # The answer of a look-up made for an earlier INE arrives late: it is ignored.
        screen._answered((views[0].ine, "inscrit"), views[0])
        assert screen.candidate.ine == views[1].ine
        assert views[0].ine not in text_of(pilot, "#candidate")


async def test_a_stale_look_up_that_fails_says_nothing(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A look-up still running when the INE is changed is cancelled: its refusal, arriving
    late, does not replace what the screen says of the INE typed now."""
    views = list_candidates(operator(), DEMO_UAI)
    gate, done = threading.Event(), threading.Event()

    def held(*args: object) -> None:
        try:
            assert gate.wait(20)
            raise Refused("Refus d'une recherche périmée.")
        finally:
            done.set()

    monkeypatch.setattr(account_regeneration, "find_for_regeneration", held)
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, RegenerateScreen)
        field = app.screen.query_one("#ine", Input)
        field.value = views[0].ine  # set, not typed: typed keys would wait for the look-up
        await pilot.pause()
        assert text_of(pilot, "#message") == "Recherche du candidat…"
        field.value = views[0].ine[:-1]
        await pilot.pause()
        gate.set()
        assert await asyncio.to_thread(done.wait, 20)
        await settle(pilot)
        assert text_of(pilot, "#message") == "INE : 11 caractères attendus."


async def test_report_names_the_pupil_and_filters_by_pupil_or_class(demo_url: str) -> None:
    from cyclades_tui.services import documents
    from cyclades_tui.ui.screens.documents import DocumentsScreen
    from cyclades_tui.ui.screens.preview import PreviewScreen
    from tests.ui_helpers import table_rows, table_titles

    account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS)
    views = [v for v in list_candidates(operator(), DEMO_UAI) if v.login]
    nakamura = next(v for v in views if v.family_name == "Nakamura")
    other = next(v for v in views if v.division != nakamura.division)
    for view in (nakamura, other, other):
        account_regeneration.regenerate(operator(), DEMO_UAI, view.ine, settings=FAST_SETTINGS)
    listed = documents.list_documents(operator(), DEMO_UAI)
    assert listed[2].pupil == f"Nakamura ({nakamura.division})"
    assert listed[3].pupil == ""  # a whole-school document names no one
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DocumentsScreen)
        # The columns that fit whole: read each row by its headings.
        await pilot.resize_terminal(160, 40)
        await settle(pilot)
        labels = table_titles(pilot, "#documents")
        rows = [dict(zip(labels, r, strict=True)) for r in table_rows(pilot, "#documents")]
        assert [rows[2][k] for k in ("Document", "Page", "Nb", "Élève (classe)")] == [
            "Papillon de connexion",
            "1/page",
            "1",
            f"Nakamura ({nakamura.division})",
        ]
        assert {r["Page"] for r in rows[3:]} == {"1/page", "2/page"}
        await pilot.press("ctrl+f", *"nakamura")
        await settle(pilot)
        rows = [dict(zip(labels, r, strict=True)) for r in table_rows(pilot, "#documents")]
        # Her own slip, and the two whole-school documents that also hold her slip.
        assert len(rows) == 3 and rows[0]["Élève (classe)"].startswith("Nakamura")
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        ((login, _, _, name, division, ine),) = table_rows(pilot, "#slips")
        assert (login, name, division, ine) == (
            nakamura.login,
            "Nakamura",
            nakamura.division,
            nakamura.ine,
        )


async def test_page_down_turns_the_page_of_documents(demo_url: str) -> None:
    from cyclades_tui.ui.screens.documents import DocumentsScreen

    account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS)
    ine = next(v.ine for v in list_candidates(operator(), DEMO_UAI) if v.login)
    for _ in range(9):
        account_regeneration.regenerate(operator(), DEMO_UAI, ine, settings=FAST_SETTINGS)
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DocumentsScreen)
        await pilot.press("pagedown")
        await settle(pilot)
        assert "Affichage de l'élément 11 à 11 sur 11" in text_of(pilot, "#range")
        await pilot.press("pageup")
        await settle(pilot)
        assert "Affichage de l'élément 1 à 10 sur 11" in text_of(pilot, "#range")


async def test_candidates_show_exam_state_reason_and_birth_date(demo_url: str) -> None:
    from cyclades_tui.ui.widgets.virtual_table import VirtualTable

    views = list_candidates(operator(), DEMO_UAI)
    refused = next(v for v in views if not v.eligible)
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", *refused.ine)
        await settle(pilot)
        table = app.screen.query_one("#candidates", VirtualTable)
        ((_, _, _, exam, state, account, born, ine),) = table.rows
        assert (exam, ine, born) == (refused.exam, refused.ine, refused.birth_label)
        assert account.startswith("non éligible (")
        assert state in refused.state  # « En cours » for « En cours d'inscription »
        # At 80 columns the exam and state columns are on screen, not cut away.
        header = [title for title, _ in table.columns]
        shown = sum(width + 2 for _, width in table.columns[: header.index("Compte") + 1])
        assert shown <= table.size.width
    wide = demo_app(demo_url)
    async with wide.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        await settle(pilot)
        table = wide.screen.query_one("#candidates", VirtualTable)
        assert sum(width + 2 for _, width in table.columns) >= table.size.width - 1
        assert table.columns[0][1] > 14  # names get the room


async def test_right_arrow_reaches_birth_date_and_ine_at_80_columns(demo_url: str) -> None:
    from cyclades_tui.ui.widgets.virtual_table import VirtualTable

    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "ctrl+t")
        await settle(pilot)
        table = app.screen.query_one("#candidates", VirtualTable)
        assert table.scroll_offset.x == 0
        await pilot.press("right", "right", "right")
        assert table.scroll_offset.x > 0


def test_homonyms_slips_show_their_birth_dates_and_two_per_page_fills_pages(
    demo_url: str, tmp_path: Path
) -> None:
    from cyclades_tui.services import documents
    from tests.helpers import pdf_text

    result = account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS)
    views = {v.login: v for v in list_candidates(operator(), DEMO_UAI) if v.login}
    aubins = [v for v in views.values() if (v.family_name, v.first_name) == ("Aubin", "Antoine")]
    assert len(aubins) == 3
    one_per_page = next(d for d in result.documents if d.layout == 1)
    two_per_page = next(d for d in result.documents if d.layout == 2)
    _, data = documents.fetch(operator(), one_per_page.id)
    text = pdf_text(data, tmp_path)
    for view in aubins:
        assert f"Aubin Antoine, né(e) le {view.birth_label}" in text
    others = [v for v in views.values() if v not in aubins]
    assert f"{others[0].family_name} {others[0].first_name}, né(e)" not in text
    _, data = documents.fetch(operator(), two_per_page.id)
    path = tmp_path / "two.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    )
    assert pages == (len(views) + 1) // 2  # full pages, whatever the classes
