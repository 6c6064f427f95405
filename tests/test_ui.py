"""The TUI driven end to end with the keyboard (Textual pilot) on a real SQLite database."""

from __future__ import annotations

from pathlib import Path

from textual.events import Key

from cyclades_tui.pdf.readback import read_credentials
from cyclades_tui.services import account_generation, account_regeneration, accounts, documents
from cyclades_tui.services.actor import operator
from cyclades_tui.services.demo import DEMO_STAFF, DEMO_UAI
from cyclades_tui.store.models import Account, Candidate, School
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.screens.candidates import CandidatesScreen
from cyclades_tui.ui.screens.documents import DocumentsScreen
from cyclades_tui.ui.screens.generate import GenerateScreen
from cyclades_tui.ui.screens.home import HomeScreen
from cyclades_tui.ui.screens.login import LoginScreen
from cyclades_tui.ui.screens.preview import HIDDEN, PreviewScreen
from cyclades_tui.ui.screens.regenerate import RegenerateScreen
from cyclades_tui.ui.widgets.modals import ConfirmModal, PathModal
from tests.helpers import FAST_SETTINGS, SIZE, STAFF_PASSWORD, pdf_text, slips_in
from tests.ui_helpers import demo_app, settle, table_rows, text_of


async def test_login_refuses_then_accepts(demo_url: str) -> None:
    app = CycladesApp(db_url=demo_url, settings=FAST_SETTINGS)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LoginScreen)
        await pilot.click("#login")
        await pilot.press(*DEMO_STAFF, "enter", *"mauvais", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "Identifiant ou mot de passe incorrect." in text_of(pilot, "#message")
        app.screen.query_one("#login").focus()
        await pilot.press("enter", *STAFF_PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.session is not None and app.session.uai == DEMO_UAI
        assert DEMO_UAI in text_of(pilot, "#banner") and DEMO_STAFF in text_of(pilot, "#banner")


async def test_generate_then_save_a_document_and_log_in(demo_url: str, tmp_path: Path) -> None:
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, GenerateScreen)
        before = account_generation.status(operator(), DEMO_UAI)
        assert f"sans compte : {before.without_account}" in text_of(pilot, "#counts")
        assert len(table_rows(pilot, "#pending")) == before.without_account > 0
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert f"{before.without_account} compte(s) créé(s)." in text_of(pilot, "#message")
        bar = app.screen.query_one("#progress")
        assert bar.progress == bar.total == before.without_account  # type: ignore[attr-defined]
        assert "Tous les comptes de vos candidats ont été générés." in text_of(pilot, "#counts")
        # A second « Générer » creates nothing.
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert account_generation.status(operator(), DEMO_UAI).with_account == before.eligible
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, DocumentsScreen)
        rows = table_rows(pilot, "#documents")
        assert len(rows) == 2 and all(r[0] == "Papillons de connexion" for r in rows)
        assert "Affichage de l'élément 1 à 2 sur 2 élément(s)" in text_of(pilot, "#range")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, PathModal)
        path_input = app.screen.query_one("#path")
        path_input.value = "out/"  # type: ignore[attr-defined]  # in the school's documents/
        await pilot.press("enter")
        await settle(pilot)
        saved = list((tmp_path / "fichiers" / DEMO_UAI / "documents" / "out").glob("*.pdf"))
        assert len(saved) == 1
        assert f"documents/out/{saved[0].name}" in text_of(pilot, "#message").replace("\n", "")
        credentials = slips_in(pdf_text(saved[0]))
        assert len(credentials) == before.without_account
        for login, password in credentials[:5]:
            assert accounts.verify(login, password, settings=FAST_SETTINGS).ok


async def test_regenerate_with_confirmation(demo_url: str) -> None:
    result = account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS)
    _, data = documents.fetch(operator(), result.documents[0].id)
    login, old = read_credentials(data)[0]
    ine = Account.get(Account.login == login).candidate.ine
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        assert isinstance(app.screen, RegenerateScreen)
        assert "Titre édition : Papillon de connexion" in text_of(pilot, "#edition-title")
        await pilot.press(*"123")
        assert "11 caractères" in text_of(pilot, "#message")
        await pilot.press("backspace", "backspace", "backspace", *ine)
        await settle(pilot)
        assert login in text_of(pilot, "#candidate")
        await pilot.press("ctrl+g")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")  # cancelled: nothing changes
        await settle(pilot)
        assert accounts.verify(login, old, settings=FAST_SETTINGS).ok
        await pilot.press("ctrl+g")
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert "Nouveau mot de passe généré" in text_of(pilot, "#message")
    newest = documents.list_documents(operator(), DEMO_UAI)[0]
    assert newest.title == "Papillon de connexion" and newest.slips == 1
    _, data = documents.fetch(operator(), newest.id)
    ((same_login, new),) = read_credentials(data)
    assert same_login == login
    assert not accounts.verify(login, old, settings=FAST_SETTINGS).ok
    assert accounts.verify(login, new, settings=FAST_SETTINGS).ok


async def test_regenerate_without_account_says_so(demo_url: str) -> None:
    ine = Candidate.select().first().ine
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", *ine)
        await settle(pilot)
        assert "n'a pas encore de compte" in text_of(pilot, "#message")
        assert app.screen.query_one("#generate").disabled


async def test_preview_hides_passwords_until_asked(demo_url: str) -> None:
    result = account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS)
    _, data = documents.fetch(operator(), result.documents[1].id)
    expected = read_credentials(data)
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        rows = table_rows(pilot, "#slips")
        assert [r[0] for r in rows] == [login for login, _ in expected]
        assert all(r[1] == HIDDEN for r in rows)
        await pilot.press("ctrl+a")
        assert [r[1] for r in table_rows(pilot, "#slips")] == [p for _, p in expected]
        await pilot.press("escape")
        assert isinstance(app.screen, DocumentsScreen)


async def test_documents_are_paged_by_ten(demo_url: str) -> None:
    first = account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS)
    assert first.created > 0
    views = account_generation.pending_candidates(operator(), DEMO_UAI)
    assert views == []
    ine = Candidate.select().join(Account).first().ine
    for _ in range(11):
        account_regeneration.regenerate(operator(), DEMO_UAI, ine, settings=FAST_SETTINGS)
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await settle(pilot)
        assert len(table_rows(pilot, "#documents")) == 10
        assert "Affichage de l'élément 1 à 10 sur 13 élément(s)" in text_of(pilot, "#range")
        await pilot.press("pagedown")
        await settle(pilot)
        assert len(table_rows(pilot, "#documents")) == 3
        assert "Affichage de l'élément 11 à 13 sur 13 élément(s)" in text_of(pilot, "#range")
        await pilot.press("pageup")
        await settle(pilot)
        assert "Affichage de l'élément 1 à 10 sur 13 élément(s)" in text_of(pilot, "#range")


async def test_service_not_positioned_disables_generation(demo_url: str) -> None:
    School.update(service_enabled=False).execute()
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await settle(pilot)
        assert "n'est pas positionné" in text_of(pilot, "#prerequisite")
        assert app.screen.query_one("#generate").disabled
        await pilot.press("ctrl+g")
        await settle(pilot)
    assert account_generation.status(operator(), DEMO_UAI).with_account == 0


async def test_markup_in_names_is_shown_literally(demo_url: str) -> None:
    evil = "[bold]Malin[/]"
    Candidate.update(family_name=evil, first_name="[/]").where(
        Candidate.id == Candidate.select().first().id
    ).execute()
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CandidatesScreen)
        await pilot.press(*"malin")
        rows = table_rows(pilot, "#candidates")
        assert len(rows) == 1 and rows[0][0] == evil and rows[0][1] == "[/]"
        await pilot.press("escape", "g")
        await settle(pilot)
        assert any(r[1] == evil for r in table_rows(pilot, "#pending"))


async def test_candidates_filter_as_you_type(demo_url: str) -> None:
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(pilot)
        everyone = table_rows(pilot, "#candidates")
        assert len(everyone) == 40
        await pilot.press(*"aubin")
        aubins = table_rows(pilot, "#candidates")
        assert len(aubins) == 3 and all(r[0] == "Aubin" for r in aubins)
        await pilot.press(*" 3b")
        assert all(r[2] == "3B" for r in table_rows(pilot, "#candidates"))
        assert "affichée(s) sur 40" in text_of(pilot, "#message")


async def test_command_palette_offers_every_activity(demo_url: str) -> None:
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for label in (
            "Générer les comptes Cyclades de mes élèves",
            "Regénérer le mot de passe d'un compte d'un élève",
            "Afficher le compte rendu",
            "Mes candidats",
            "Importer HORS BEE",
        ):
            assert label in titles
        next(
            c for c in app.get_system_commands(app.screen) if c.title == "Mes candidats"
        ).callback()
        await settle(pilot)
        assert isinstance(app.screen, CandidatesScreen)


async def test_every_binding_is_in_the_footer_at_80_columns(demo_url: str) -> None:
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        for key, screen_type in (
            ("g", GenerateScreen),
            ("r", RegenerateScreen),
            ("d", DocumentsScreen),
            ("c", CandidatesScreen),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen_type)
            keys = list(app.screen.query_one("Footer").query("FooterKey"))
            shown = " ".join(str(k.render()) for k in keys)
            for binding in app.screen.BINDINGS:
                if not binding.show:  # type: ignore[union-attr]  # PgSuiv/PgPréc: README
                    continue
                assert binding.description in shown, (screen_type, binding.description)  # type: ignore[union-attr]
            # Each key is drawn whole inside the 80 columns (not clipped off the right edge).
            assert all(k.region.width > 0 and k.region.right <= SIZE[0] for k in keys), [
                (str(k.render()), k.region) for k in keys
            ]
            app.screen.action_back()  # type: ignore[attr-defined]
            await pilot.pause()


async def test_login_with_type_ahead(demo_url: str) -> None:
    """Over SSH people type the password right after Enter, before the screen reacts."""
    app = CycladesApp(db_url=demo_url, settings=FAST_SETTINGS)
    async with app.run_test(size=SIZE) as pilot:
        for key in [*DEMO_STAFF, "enter", *STAFF_PASSWORD, "enter"]:
            # Queued without waiting for the app, as keys arrive from a fast typist.
            app.post_message(Key(key, key if len(key) == 1 else None))
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


def test_no_screen_key_is_swallowed_by_a_text_field() -> None:
    """A screen key that the focused Input also binds (ctrl+e: end of line) never fires."""
    from textual.binding import Binding
    from textual.widgets import Input

    from cyclades_tui.ui.app import ACTIVITY_SCREENS

    input_keys = {
        key.strip() for b in Input.BINDINGS if isinstance(b, Binding) for key in b.key.split(",")
    }
    for name, factory in ACTIVITY_SCREENS.items():
        for binding in getattr(factory, "BINDINGS", []):
            assert isinstance(binding, Binding)
            keys = {key.strip() for key in binding.key.split(",")}
            assert not (keys & input_keys) or binding.priority, (name, binding.key)
