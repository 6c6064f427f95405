"""Leftovers and watchers: no screenshot, the preview forgets, a complete audit trail for the
operator and the exam manager, the operator's real identity, and the idle logout."""

from __future__ import annotations

import json
import os
import pwd
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from cyclades_tui.services import audit, schools, staff, staff_login
from cyclades_tui.services.actor import ROLE_MANAGER, operator
from cyclades_tui.services.documents import DocumentSummary, SlipPreview
from cyclades_tui.services.errors import AccessDenied, Refused
from cyclades_tui.settings import Settings, load_settings
from cyclades_tui.store.models import AuditEvent
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.screens.generate import GenerateScreen
from cyclades_tui.ui.screens.home import HomeScreen
from cyclades_tui.ui.screens.journal import JournalScreen
from cyclades_tui.ui.screens.login import LoginScreen
from cyclades_tui.ui.screens.preview import PreviewScreen
from cyclades_tui.ui.screens.schools import SchoolPickerScreen
from cyclades_tui.ui.widgets.virtual_table import VirtualTable
from tests.helpers import Cli, wait_until_async
from tests.resilience_helpers import run_cli
from tests.ui_helpers import settle, table_rows, text_of

UAI, OTHER = "0392689L", "0750001U"
PASSWORD = "un mot de passe long"
SIZE = (80, 24)


@pytest.fixture
def watched(db_url: str) -> Iterator[str]:
    """Two schools, a staff member of the first, an exam manager; some failed logins."""
    for uai in (UAI, OTHER):
        schools.add_school(operator(), uai, f"École {uai}")
        schools.set_service(operator(), uai, True)
    staff.add_staff(
        operator(), "secretariat", PASSWORD, UAI, settings=load_settings(), must_change=False
    )
    staff.add_staff(
        operator(),
        "chef",
        PASSWORD,
        None,
        role=ROLE_MANAGER,
        settings=load_settings(),
        must_change=False,
    )
    for login, password in (
        ("bruteforce", "x"),
        ("Mon Secret 2026!", "x"),
        ("secretariat", "mauvais"),
    ):
        with pytest.raises(Refused):
            staff_login.authenticate(login, password, settings=load_settings())
    staff_login.authenticate("chef", PASSWORD, settings=load_settings())
    yield db_url


def test_operator_audit_without_school_lists_every_event(watched: str) -> None:
    cli = Cli(watched)
    everything = cli("audit", "--json")
    assert everything.code == 0, everything.err
    events = [
        (e["school"], e["actor"], e["detail"], e["success"])
        for e in json.loads(everything.out)
        if e["action"] == "login"
    ]
    assert events == [
        # An unknown login is kept (the brute force shows), text typed like a password not.
        (None, "?", "identifiant inconnu : « bruteforce »", False),
        (None, "?", "identifiant inconnu", False),
        (UAI, "secretariat", "mot de passe incorrect", False),
        (None, "chef", "connexion", True),  # the exam manager belongs to no school
    ]
    one_school = json.loads(cli("audit", "--school", UAI, "--json").out)
    assert {e["school"] for e in one_school} == {UAI}
    text = cli("audit").out
    assert "identifiant inconnu : « bruteforce »" in text and "chef" in text
    # School staff never read the whole trail.
    with pytest.raises(AccessDenied):
        audit.every_event(staff_login.actor_for("secretariat"))


async def open_journal(pilot: Pilot[None], app: CycladesApp) -> list[list[str]]:
    app.open_activity("journal")
    await settle(pilot)
    assert isinstance(app.screen, JournalScreen)
    return table_rows(pilot, "#journal")


async def test_exam_manager_journal_shows_events_of_no_school(watched: str) -> None:
    app = CycladesApp(db_url=watched, settings=load_settings())
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "chef")
        assert isinstance(app.screen, SchoolPickerScreen)
        await pilot.press("enter")
        await settle(pilot)
        details = [row[3] for row in await open_journal(pilot, app)]
    assert "ÉCHEC : identifiant inconnu : « bruteforce » (sans établissement)" in details
    assert "ÉCHEC : mot de passe incorrect" in details
    assert "connexion (sans établissement)" in details
    # The school's own staff sees the school's events only.
    app = CycladesApp(
        db_url=watched, demo_actor=staff_login.actor_for("secretariat"), settings=load_settings()
    )
    async with app.run_test(size=SIZE) as pilot:
        details = [row[3] for row in await open_journal(pilot, app)]
    assert details and not [d for d in details if "sans établissement" in d]


def test_operator_is_the_real_user_not_logname(sqlite_url: str) -> None:
    real = pwd.getpwuid(os.getuid()).pw_name
    forged = "alice" if real != "alice" else "bob"
    result = run_cli(
        sqlite_url,
        "school",
        "add",
        UAI,
        "Lycée",
        env={"LOGNAME": forged, "USER": forged, "USERNAME": forged},
    )
    assert result.returncode == 0, result.stderr
    assert [e.actor for e in AuditEvent.select()] == [f"cli:{real}"]


async def test_palette_offers_no_screenshot(tmp_path: Path) -> None:
    app = CycladesApp(settings=load_settings())
    async with app.run_test(size=SIZE):
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Quitter" in titles and "Screenshot" not in titles
        # The action itself (a key binding could call it) writes nothing either.
        app.action_screenshot(path=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


async def test_palette_search_finds_no_screenshot() -> None:
    app = CycladesApp(settings=load_settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"screen")
        await pilot.pause(0.3)  # the palette searches in a task of its own
        await settle(pilot)
        palette = app.screen
        shown = " ".join(str(option.prompt) for option in palette.query_one("CommandList").options)  # type: ignore[attr-defined]
        assert "Screenshot" not in shown


def preview_screen(app: CycladesApp, count: int = 3) -> tuple[PreviewScreen, list[str]]:
    passwords = [f"Secret{i}Abc!" for i in range(count)]
    document = DocumentSummary(
        id=1,
        title="Papillons de connexion",
        layout=1,
        slips=count,
        size=1000,
        type="PDF",
        created_at=datetime(2026, 1, 1),
        created_by="agent",
    )
    slips = [
        SlipPreview(login=f"eleve.{i}", password=p, current=True) for i, p in enumerate(passwords)
    ]
    return PreviewScreen(app.context(), document, slips), passwords


async def test_idle_logout_returns_to_login_and_the_preview_forgets(watched: str) -> None:
    assert Settings().idle_logout_minutes == 20
    app = CycladesApp(
        db_url=watched,
        demo_actor=staff_login.actor_for("secretariat"),
        settings=load_settings(),
        idle_logout_seconds=3600,
    )
    async with app.run_test(size=SIZE) as pilot:
        preview, passwords = preview_screen(app)
        await app.push_screen(preview)
        await pilot.press("ctrl+a")  # passwords revealed, then the user walks away
        table = preview.query_one("#slips", VirtualTable)
        assert passwords[0] in table.rows[0][1]
        app.set_idle_logout(0.2)
        await wait_until_async(lambda: isinstance(app.screen, LoginScreen), what="déconnexion")
        assert app.session is None
        assert "Session fermée" in text_of(pilot, "#message")
        assert preview.slips == [] and not preview.revealed


async def test_keys_keep_the_session_open(watched: str) -> None:
    app = CycladesApp(
        db_url=watched,
        demo_actor=staff_login.actor_for("secretariat"),
        settings=load_settings(),
        idle_logout_seconds=1.5,
    )
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, HomeScreen)
        end = time.monotonic() + 3.5  # more than twice the idle time, a key every 0.1 s
        while time.monotonic() < end:
            await pilot.press("down")
            await pilot.pause(0.1)
            assert isinstance(app.screen, HomeScreen)
        await wait_until_async(lambda: isinstance(app.screen, LoginScreen), what="déconnexion")


async def test_a_running_generation_finishes_before_the_idle_logout(watched: str) -> None:
    app = CycladesApp(
        db_url=watched,
        demo_actor=staff_login.actor_for("secretariat"),
        settings=load_settings(),
        idle_logout_seconds=3600,
    )
    release = threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        app.open_activity("generate")
        await settle(pilot)
        assert isinstance(app.screen, GenerateScreen)
        # A generation in progress (its worker runs until the test releases it).
        app.screen.run_worker(lambda: release.wait(30), thread=True, group="generate")
        app.set_idle_logout(0.2)
        await wait_until_async(lambda: app.idle_checks >= 3, what="délai d'inactivité écoulé")
        assert isinstance(app.screen, GenerateScreen) and app.session is not None
        release.set()
        await wait_until_async(lambda: isinstance(app.screen, LoginScreen), what="déconnexion")


def test_idle_logout_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CYCLADES_IDLE_LOGOUT_MINUTES", "5")
    assert load_settings().idle_logout_minutes == 5
    assert CycladesApp(settings=load_settings()).idle_logout_seconds == 300


async def log_in(pilot: Pilot[None], login: str) -> None:
    from textual.widgets import Input

    screen = pilot.app.screen
    screen.query_one("#login", Input).value = login
    screen.query_one("#password", Input).value = PASSWORD
    screen.query_one("#password", Input).focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_idle_logout_comes_within_five_seconds_of_the_setting(watched: str) -> None:
    """A key half-way through the idle time restarts the countdown from that key: the logout
    comes no sooner than the setting after it, and no later than 5 s past it (a timer reset
    that waited for its next tick logged out up to twice the setting later)."""
    setting = 12.0
    app = CycladesApp(
        db_url=watched,
        demo_actor=staff_login.actor_for("secretariat"),
        settings=load_settings(),
        idle_logout_seconds=setting,
    )
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, HomeScreen)
        half_way = time.monotonic() + setting / 2
        while time.monotonic() < half_way:  # the user reads the screen, then presses a key
            await pilot.pause(0.1)
            assert isinstance(app.screen, HomeScreen)
        await pilot.press("down")
        pressed = time.monotonic()
        await wait_until_async(
            lambda: isinstance(app.screen, LoginScreen),
            setting + 5,
            "pas de déconnexion dans les 5 s du réglage",
        )
        elapsed = time.monotonic() - pressed
        assert setting <= elapsed <= setting + 5, elapsed
        assert app.session is None
