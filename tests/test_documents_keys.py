"""Issue 16: in « Afficher le compte rendu » letters are text, printing asks first, a
confirmation's Entrée does what looks chosen, and one pupil's slip can be had alone.

Before: `i` sent the highlighted document (30 pages of passwords) to CUPS at once, `s`
opened « Enregistrer », `n` turned the page, so typing a pupil's name there did harm; Enter
in « Regénérer »'s confirmation pressed the focused « Annuler » while « Générer » looked
chosen, and nothing was said; one pupil's slip could only be had by regenerating it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pypdf import PdfReader

from cyclades_tui.services import (
    account_generation,
    account_regeneration,
    documents,
    single_slip,
)
from cyclades_tui.services.actor import operator
from cyclades_tui.services.db_session import connect
from cyclades_tui.services.demo import DEMO_UAI, seed_demo
from cyclades_tui.store.models import Account, AuditEvent, Candidate
from cyclades_tui.ui.screens.documents import DocumentsScreen, pages_of
from cyclades_tui.ui.screens.preview import PreviewScreen
from cyclades_tui.ui.screens.regenerate import RegenerateScreen
from cyclades_tui.ui.widgets.modals import ConfirmModal, PathModal
from cyclades_tui.ui.widgets.slip_finder import SlipFinderModal
from tests.cups_server import Cups
from tests.helpers import FAST_SETTINGS, Cli, pdf_text
from tests.terminal import CTRL_Q, Terminal
from tests.ui_helpers import demo_app, settle, table_rows, table_titles, text_of


def pdfs_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.pdf"))


def pupil_of(document_id: int) -> Candidate:
    """A pupil with a slip in the document (the first of its read-back)."""
    login = documents.preview(operator(), document_id)[0].login
    return Account.get(Account.login == login).candidate


def other_pupils(document_id: int, ine: str) -> list[str]:
    """The INEs and logins of the document's other pupils (unique, unlike family names)."""
    return [
        value
        for s in documents.preview(operator(), document_id)
        if s.ine != ine
        for value in (s.ine, s.login)
    ]


async def test_typing_a_name_in_the_list_filters_and_does_nothing_else(
    demo_url: str, cups: Cups, tmp_path: Path
) -> None:
    printer = cups.add_printer("salle-prof")
    mass = account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS).documents[0]
    pupil = pupil_of(mass.id)
    before = pdfs_under(tmp_path)
    app = demo_app(demo_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DocumentsScreen)
        # Every former action letter, then the pupil's name: all of it is text.
        typed = "ispnmv " + pupil.family_name.lower()
        await pilot.press(*typed)
        await settle(pilot)
        assert isinstance(app.screen, DocumentsScreen)
        assert app.screen.query_one("#search").value == typed  # type: ignore[attr-defined]
        await pilot.press(*["backspace"] * len(typed))
        await pilot.press(*pupil.family_name.lower())
        await settle(pilot)
        assert any(r[0] == "Papillons de connexion" for r in table_rows(pilot, "#documents"))
    assert printer.received == []
    assert cups.run("lpstat", "-W", "all", "-o").stdout.strip() == ""
    assert pdfs_under(tmp_path) == before


async def test_printing_asks_first_and_says_the_answer(demo_url: str, cups: Cups) -> None:
    printer = cups.add_printer("salle-prof")
    # The newest document is the highlighted one.
    mass = account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS).documents[-1]
    app = demo_app(demo_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        question = app.screen.question
        assert f"document n° {mass.id}" in question and "salle-prof" in question
        assert f"{mass.slips} papillon(s) sur {pages_of(mass)} page(s)" in question
        assert app.screen.focused is app.screen.query_one("#no")  # Annuler is the default
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DocumentsScreen)
        assert "Annulé" in text_of(pilot, "#message")
        assert printer.received == []
        await pilot.press("ctrl+e")
        await settle(pilot)
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert re.search(r"Travail salle-prof-\d+ envoyé", text_of(pilot, "#message"))
    assert printer.wait_for_job() == documents.fetch(operator(), mass.id)[1]


async def test_enter_in_a_confirmation_does_what_looks_chosen(demo_url: str) -> None:
    account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS)
    ine = Candidate.select().join(Account).first().ine
    versions = Account.select(Account.password_version).scalar()
    app = demo_app(demo_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        assert isinstance(app.screen, RegenerateScreen)
        await pilot.press(*ine)
        await settle(pilot)
        await pilot.press("ctrl+g")
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        # The default (focused) button is the one drawn as chosen; the other is plain.
        assert modal.focused is modal.query_one("#no")
        assert modal.query_one("#no").variant == "primary"  # type: ignore[attr-defined]
        assert modal.query_one("#yes").variant == "default"  # type: ignore[attr-defined]
        keys = str(modal.query_one(".keys").render())
        assert "Entrée ou Échap : Annuler · ctrl+y : Générer" in keys
        await pilot.press("enter")
        await settle(pilot)
        assert "Annulé" in text_of(pilot, "#message")
    assert Account.select(Account.password_version).scalar() == versions


async def test_one_pupils_slip_alone_from_the_finder(demo_url: str, tmp_path: Path) -> None:
    mass = account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS).documents[0]
    stored = documents.fetch(operator(), mass.id)[1]
    pupil = pupil_of(mass.id)
    login = Account.get(Account.candidate == pupil).login
    app = demo_app(demo_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert isinstance(app.screen, SlipFinderModal)
        await pilot.press(*pupil.ine)
        assert [r[2] for r in table_rows(pilot, "#slip-matches")] == [pupil.ine]
        await pilot.press("enter")  # « Voir »: that slip only
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        assert [r[0] for r in table_rows(pilot, "#slips")] == [login]
        await pilot.press("escape", "ctrl+u")
        await settle(pilot)
        await pilot.press(*pupil.ine, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PathModal)
        await pilot.press("enter")
        await settle(pilot)
        assert "Papillon enregistré" in text_of(pilot, "#message")
    (saved,) = pdfs_under(tmp_path / "fichiers" / DEMO_UAI / "documents")
    assert len(PdfReader(saved).pages) == 1
    text = pdf_text(saved)
    assert login in text and pupil.family_name in text
    assert not [name for name in other_pupils(mass.id, pupil.ine) if name in text]
    assert documents.fetch(operator(), mass.id)[1] == stored  # the document is unchanged
    assert (
        AuditEvent.select()
        .where(AuditEvent.action == "document.export", AuditEvent.detail.contains(pupil.ine))
        .count()
        == 1
    )


async def test_the_finder_starts_from_the_list_filter_and_uses_the_height(demo_url: str) -> None:
    """The name typed to find the document is the pupil looked for; a tall terminal shows
    more of the document's pupils than the 10 rows that fit at 80x24."""
    mass = account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS).documents[0]
    pupil = pupil_of(mass.id)
    app = demo_app(demo_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("ctrl+u")
        await settle(pilot)
        table = app.screen.query_one("#slip-matches")
        assert table.size.height > 12  # a header and more than the 10 rows of 80x24
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press(*pupil.ine, "ctrl+u")
        await settle(pilot)
        assert isinstance(app.screen, SlipFinderModal)
        assert [r[2] for r in table_rows(pilot, "#slip-matches")] == [pupil.ine]


def test_cli_exports_one_pupils_slip(demo_url: str, tmp_path: Path) -> None:
    mass = account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS).documents[1]
    pupil = pupil_of(mass.id)
    login = Account.get(Account.candidate == pupil).login
    cli = Cli(demo_url)
    target = tmp_path / "seul.pdf"
    done = cli("documents", "export", str(mass.id), str(target), "--ine", pupil.ine)
    assert done.code == 0, done.err
    assert len(PdfReader(target).pages) == 1
    text = pdf_text(target)
    assert login in text and pupil.family_name in text and pupil.ine in text
    assert not [name for name in other_pupils(mass.id, pupil.ine) if name in text]
    absent = Candidate.select().where(Candidate.ine != pupil.ine).first().ine
    regenerated = account_regeneration.regenerate(
        operator(), DEMO_UAI, absent, settings=FAST_SETTINGS
    )
    one = regenerated.documents[0].id
    refused = cli("documents", "export", str(one), str(tmp_path / "autre.pdf"), "--ine", pupil.ine)
    assert refused.code == 2
    assert single_slip.not_in_document(one, pupil.ine) in refused.err.replace("\n", " ")
    assert not (tmp_path / "autre.pdf").exists()


async def test_documents_columns_are_whole(demo_url: str) -> None:
    account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS)
    app = demo_app(demo_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await settle(pilot)
        table = app.screen.query_one("#documents")
        labels = table_titles(pilot, "#documents")
        assert labels[:3] == ["Document", "Taille", "Type"]
        line = table.render_line(1).text  # type: ignore[attr-defined]
        author = documents.list_documents(operator(), DEMO_UAI)[0].created_by
        assert author in line or "Auteur" not in labels
        assert len(line.rstrip()) <= 80
        await pilot.resize_terminal(160, 40)
        await settle(pilot)
        wider = table_titles(pilot, "#documents")
        assert len(wider) > len(labels) and "Auteur" in wider


def test_a_name_written_at_once_on_a_terminal_prints_and_saves_nothing(
    tmp_path: Path, cups: Cups
) -> None:
    printer = cups.add_printer("salle-prof")
    assert cups.run("lpadmin", "-d", "salle-prof").returncode == 0
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    connect(url)
    seed_demo(settings=FAST_SETTINGS)
    mass = account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS).documents[0]
    name = pupil_of(mass.id).family_name.lower()
    before = pdfs_under(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CYCLADES_")}
    env.update(
        TERM="xterm-256color",
        CYCLADES_CONFIG=os.devnull,
        CYCLADES_PROVISIONAL_COST="4",
        CYCLADES_CHOSEN_COST="4",
        CUPS_SERVER=str(cups.socket),
    )
    tui = Terminal.app(["--demo", "--db", url], env, inherit=False)
    try:
        tui.wait_for("Générer les comptes", 60)
        tui.write(b"d")
        tui.wait_for("Affichage de l'élément 1 à", 60)
        tui.write(("ispnmv" + name).encode())  # one write, as a hurried person types
        # The whole name reached the filter (drawn in it): every letter was text.
        tui.wait_for("ispnmv" + name, 30)
        tui.write(CTRL_Q)
        tui.wait_exit(30)
    finally:
        tui.close()
    assert printer.received == []
    assert cups.run("lpstat", "-W", "all", "-o").stdout.strip() == ""
    assert pdfs_under(tmp_path) == before


async def test_a_cancelled_logout_says_annule(demo_url: str) -> None:
    app = demo_app(demo_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmModal)
        # Logging out destroys nothing: there Entrée logs out, so the key line says so.
        assert "Entrée ou ctrl+y : Se déconnecter" in str(app.screen.query_one(".keys").render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is home and app.session is not None
        assert "Annulé" in text_of(pilot, "#message")
