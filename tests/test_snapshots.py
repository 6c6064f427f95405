"""Snapshots of every screen, dialog and error state at 80x24 and 120x40
(pytest-textual-snapshot); update with --snapshot-update after an intended change."""

from __future__ import annotations

import fcntl
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from cyclades_tui.services.actor import operator
from cyclades_tui.services.db_session import connect
from cyclades_tui.services.demo import DEMO_STAFF, seed_demo
from cyclades_tui.services.staff import set_password
from cyclades_tui.services.staff_login import actor_for
from cyclades_tui.ui.actions import ACTIVITIES
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.screens.base import BaseScreen
from tests.helpers import FAST_SETTINGS, OTHER_UAI
from tests.ui_helpers import settle

SIZE = (80, 24)
# The school folder's path shows in the save dialog: the same on every machine and run,
# and never the user's own data folder.
SNAPSHOT_SETTINGS = replace(
    FAST_SETTINGS, files=Path(tempfile.gettempdir()) / "cyclades-tui-snapshots" / "fichiers"
)
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture(autouse=True)
def snapshot_folder_to_myself() -> Iterator[None]:
    """One snapshot test at a time uses the shared school folder: its path must be the same
    in every run (it shows in the save dialog), and a SIECLE export one test drops in its
    depot/ would show in another xdist worker's « Importer » snapshot. A lock file, not a
    sleep: the other worker waits exactly as long as the holder needs."""
    lock_path = Path(tempfile.gettempdir()) / "cyclades-tui-snapshots.lock"
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture
def snapshot_app(tmp_path: Path) -> Iterator[Callable[[bool], CycladesApp]]:
    """A fixed demo school (seeded RNG), so every snapshot is reproducible."""
    from datetime import datetime

    from cyclades_tui.store.models import AuditEvent

    db = connect(f"sqlite:///{tmp_path / 'snap.db'}")
    seed_demo(40, seed=11, settings=FAST_SETTINGS)
    # The journal shows when and by whom: the same on every machine and day.
    AuditEvent.update(at=datetime(2026, 6, 2, 8, 30), actor="cli:exploitant").execute()

    def make(logged_in: bool = True) -> CycladesApp:
        return CycladesApp(
            db_url=None,
            demo_actor=actor_for(DEMO_STAFF) if logged_in else None,
            settings=SNAPSHOT_SETTINGS,
        )

    yield make
    db.close()


def keys_then_settle(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
        await settle(pilot)
        # The blinking cursor would make snapshots flaky.
        for widget in pilot.app.screen.query("Input"):
            widget.cursor_blink = False  # type: ignore[attr-defined]
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("home", ()),
        ("home_logout_dialog", ("ctrl+d",)),
        ("generate", ("g",)),
        ("regenerate", ("r",)),
        ("regenerate_bad_ine", ("r", *"0228191520A")),
        ("regenerate_homonyms", ("r", *"aubin antoine")),
        ("documents", ("d",)),
        ("candidates", ("c",)),
        ("candidates_filtered", ("c", *"aubin")),
        ("import_siecle", ("down", "down", "down", "down", "enter")),
        ("import_csv", ("down", "down", "down", "down", "down", "enter")),
        ("palette", ("ctrl+p",)),
        ("journal", ("j",)),
        ("change_password", ("end", "enter")),
        (
            "change_password_mismatch",
            (
                "end",
                "enter",
                *"actuel",
                "enter",
                *"Un-nouveau-2026",
                "enter",
                *"Un-autre-2026",
                "enter",
            ),
        ),
    ],
)
def test_screen(
    snap_compare: Any,
    snapshot_app: Callable[[bool], CycladesApp],
    name: str,
    keys: tuple[str, ...],
    size: tuple[int, int],
) -> None:
    assert snap_compare(snapshot_app(True), terminal_size=size, run_before=keys_then_settle(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_login(
    snap_compare: Any, snapshot_app: Callable[[bool], CycladesApp], size: tuple[int, int]
) -> None:
    assert snap_compare(snapshot_app(False), terminal_size=size, run_before=keys_then_settle())


@pytest.mark.parametrize("size", SIZES)
def test_forced_password_change(
    snap_compare: Any, snapshot_app: Callable[[bool], CycladesApp], size: tuple[int, int]
) -> None:
    """The screen that follows a login with a password someone else set."""
    set_password(
        operator(), DEMO_STAFF, "donne-par-le-service", settings=FAST_SETTINGS, must_change=True
    )
    keys = (*DEMO_STAFF, "enter", *"donne-par-le-service", "enter")
    assert snap_compare(snapshot_app(False), terminal_size=size, run_before=keys_then_settle(*keys))


@pytest.fixture
def app_with_documents(tmp_path: Path) -> Iterator[Callable[[], CycladesApp]]:
    """The same school with its accounts generated and one regeneration; dates and sizes of
    the documents fixed (they would change with every run)."""
    from datetime import datetime

    from cyclades_tui.services import account_generation, account_regeneration
    from cyclades_tui.services.actor import operator
    from cyclades_tui.services.demo import DEMO_UAI
    from cyclades_tui.store.models import Document

    db = connect(f"sqlite:///{tmp_path / 'snap-docs.db'}")
    seed_demo(40, seed=11, settings=FAST_SETTINGS)
    account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS)
    from cyclades_tui.services.candidates import list_candidates

    view = next(v for v in list_candidates(operator(), DEMO_UAI) if v.login)
    account_regeneration.regenerate(operator(), DEMO_UAI, view.ine, settings=FAST_SETTINGS)
    Document.update(created_at=datetime(2026, 6, 2, 8, 30), size=54321).execute()

    yield lambda: CycladesApp(
        db_url=None, demo_actor=actor_for(DEMO_STAFF), settings=SNAPSHOT_SETTINGS
    )
    db.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("documents", ("d",)),
        ("documents_filtered", ("d", "ctrl+f", *"aubin")),
        ("preview", ("d", "enter")),
        ("save_dialog", ("d", "ctrl+s")),
        ("print_confirm", ("d", "ctrl+e")),
        ("slip_finder", ("d", "down", "ctrl+u", *"aubin")),
        ("generate_done", ("g",)),
        ("regenerate_found", ("r", *"nakamura")),
        ("regenerate_confirm", ("r", *"nakamura", "ctrl+g")),
    ],
)
def test_screen_with_documents(
    snap_compare: Any,
    app_with_documents: Callable[[], CycladesApp],
    name: str,
    keys: tuple[str, ...],
    size: tuple[int, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No cupsd answers there: the print question names the default printer the same way on
    # every machine.
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "pas-de-cups.sock"))
    assert snap_compare(
        app_with_documents(), terminal_size=size, run_before=keys_then_settle(*keys)
    )


@pytest.fixture
def app_with_siecle_export(tmp_path: Path) -> Iterator[Callable[[], CycladesApp]]:
    """The demo school with, in its depot/, a SIECLE export of three of its pupils (already
    DNB candidates) and two new ones; the file's date fixed."""
    import os

    from cyclades_tui.services.actor import operator
    from cyclades_tui.services.candidates import list_candidates
    from cyclades_tui.services.demo import DEMO_UAI
    from tests.helpers import bea
    from tests.siecle_factory import Pupil, export_xml

    db = connect(f"sqlite:///{tmp_path / 'snap-siecle.db'}")
    seed_demo(40, seed=11, settings=FAST_SETTINGS)
    known = list_candidates(operator(), DEMO_UAI)[:3]
    pupils = [
        Pupil(str(n), v.ine, v.family_name, v.first_name, v.birth_label, "1BCP")
        for n, v in enumerate(known)
    ]
    pupils += [
        Pupil("90", bea(901), "Nouveau", "Lina", "01/01/2009", "2CAP"),
        Pupil("91", bea(902), "Nouvel", "Yanis", "02/02/2009", "2CAP"),
    ]
    depot = SNAPSHOT_SETTINGS.files_root() / DEMO_UAI / "depot"
    depot.mkdir(parents=True, exist_ok=True)
    for old in depot.iterdir():
        old.unlink()
    export = depot / "ElevesSansAdresses.xml"
    export.write_bytes(export_xml(DEMO_UAI, pupils))
    os.utime(export, (1_780_000_000, 1_780_000_000))
    yield lambda: CycladesApp(
        db_url=None, demo_actor=actor_for(DEMO_STAFF), settings=SNAPSHOT_SETTINGS
    )
    for old in depot.iterdir():
        old.unlink()
    db.close()


def siecle_steps(stage: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Open the SIECLE screen; then read the file, check (BCP, every class), confirm."""

    async def run_before(pilot: Pilot[Any]) -> None:
        from textual.widgets import Select, SelectionList

        await settle(pilot)
        pilot.app.open_activity("import_siecle")
        await settle(pilot)
        if stage != "files":
            await pilot.press("enter")
            await settle(pilot)
            pilot.app.screen.query_one("#exam", Select).value = "BCP"
            pilot.app.screen.query_one("#divisions", SelectionList).select_all()
            await pilot.press("ctrl+o")
            await settle(pilot)
        if stage == "confirm":
            await pilot.press("ctrl+l")
            await settle(pilot)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("stage", ["files", "check", "confirm"])
def test_siecle_screen(
    snap_compare: Any,
    app_with_siecle_export: Callable[[], CycladesApp],
    stage: str,
    size: tuple[int, int],
) -> None:
    assert snap_compare(
        app_with_siecle_export(), terminal_size=size, run_before=siecle_steps(stage)
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("activity", ["home", *(a.id for a in ACTIVITIES)])
def test_longest_message(
    snap_compare: Any,
    snapshot_app: Callable[[bool], CycladesApp],
    activity: str,
    size: tuple[int, int],
) -> None:
    """Each screen with the longest message the app shows (whole, above the footer)."""
    from tests.long_messages import long_messages

    longest = max(long_messages(), key=len)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, CycladesApp)
        home = app.screen
        if activity == "home":  # the menu itself
            home = None
        else:
            app.open_activity(activity)
        # The screen mounts (and starts its look-ups) only once pushed: settle after that,
        # or a look-up finishing late would write its own message over the longest one.
        for _ in range(200):
            if app.screen is not home and app.screen.is_mounted:
                break
            await pilot.pause()
        await keys_then_settle()(pilot)
        screen = app.screen
        assert isinstance(screen, BaseScreen)
        screen.show_error(longest)
        await pilot.pause()

    assert snap_compare(snapshot_app(True), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("schools", ()),
        ("schools_service", ("down", "ctrl+k")),
        ("schools_logout_dialog", ("ctrl+d",)),
        ("login_refused", (*"chef", "enter", *"mauvais", "enter")),
    ],
)
def test_exam_manager(
    snap_compare: Any,
    snapshot_app: Callable[[bool], CycladesApp],
    name: str,
    keys: tuple[str, ...],
    size: tuple[int, int],
) -> None:
    """The exam manager's school choice (and a refused login), two schools."""
    from cyclades_tui.services import schools, staff
    from cyclades_tui.services.actor import ROLE_MANAGER

    schools.add_school(operator(), OTHER_UAI, "Lycée de démonstration Jules-Verne")
    staff.add_staff(
        operator(),
        "chef",
        "Examens2026!Juin",
        None,
        role=ROLE_MANAGER,
        settings=FAST_SETTINGS,
        must_change=False,
    )
    login = () if name == "login_refused" else (*"chef", "enter", *"Examens2026!Juin", "enter")
    assert snap_compare(
        snapshot_app(False), terminal_size=size, run_before=keys_then_settle(*login, *keys)
    )
