"""A right withdrawn is withdrawn at once: a session whose staff account is deleted, disabled,
demoted or moved to another school since its login is refused by every service that writes,
prints, saves or reveals, before any side effect, and the refusal is in the audit trail."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from cyclades_tui.services import (
    account_generation,
    account_regeneration,
    documents,
    files,
    printing,
    schools,
    staff,
    staff_login,
)
from cyclades_tui.services.actor import ROLE_MANAGER, ROLE_SCHOOL, Actor, operator
from cyclades_tui.services.csv_import import import_csv
from cyclades_tui.services.demo import DEMO_STAFF, DEMO_UAI
from cyclades_tui.services.errors import AccessDenied
from cyclades_tui.services.siecle_import import import_siecle
from cyclades_tui.store.models import (
    Account,
    AuditEvent,
    Candidate,
    Document,
    Run,
    School,
    Staff,
    tuples,
)
from cyclades_tui.ui.screens.documents import DocumentsScreen
from cyclades_tui.ui.screens.generate import GenerateScreen
from cyclades_tui.ui.screens.preview import PreviewScreen
from cyclades_tui.ui.widgets.modals import ConfirmModal, PathModal
from tests.helpers import FAST_SETTINGS, SIZE, bea, csv_bytes
from tests.siecle_factory import Pupil, export_zip
from tests.ui_helpers import demo_app, settle, text_of

SCHOOL_A, SCHOOL_B = "0392689L", "0750001U"
PASSWORD = "un mot de passe long"

Action = Callable[[Actor, int, Path], object]

# What a school's staff member does on their own school (``doc`` is one of its documents).
SCHOOL_ACTIONS: dict[str, Action] = {
    "generate": lambda a, _doc, _tmp: account_generation.generate(
        a, SCHOOL_B, settings=FAST_SETTINGS
    ),
    "regenerate": lambda a, _doc, _tmp: account_regeneration.regenerate(
        a, SCHOOL_B, bea(100), settings=FAST_SETTINGS
    ),
    "save": lambda a, doc, tmp: files.save_document(a, doc, tmp, "papillons.pdf"),
    "export": lambda a, doc, tmp: documents.export(a, doc, tmp / "x.pdf"),
    "view": lambda a, doc, _tmp: documents.preview(a, doc),
    "fetch": lambda a, doc, _tmp: documents.fetch(a, doc),
    "print": lambda a, doc, _tmp: printing.print_document(a, doc, "aucune"),
    "import csv": lambda a, _doc, _tmp: import_csv(
        a, SCHOOL_B, csv_bytes(f"{bea(500)};Xavier;;Yves;;01/01/2010;3A;DNB;Inscrit")
    ),
    "import siecle": lambda a, _doc, _tmp: import_siecle(
        a,
        SCHOOL_B,
        export_zip(SCHOOL_B, [Pupil("1", bea(501), "Xavier", "Yves", "01/01/2010", "3A")]),
        "DNB",
        "inscrit",
    ),
}
# What only an exam manager does.
MANAGER_ACTIONS: dict[str, Action] = {
    "generate": lambda a, _doc, _tmp: account_generation.generate(
        a, SCHOOL_B, settings=FAST_SETTINGS
    ),
    "view": lambda a, doc, _tmp: documents.preview(a, doc),
    "service": lambda a, _doc, _tmp: schools.set_service(a, SCHOOL_A, False),
    "add school": lambda a, _doc, _tmp: schools.add_school(a, "0690001B", "Nouvelle"),
    "add staff": lambda a, _doc, _tmp: staff.add_staff(
        a, "nouveau", PASSWORD, SCHOOL_A, settings=FAST_SETTINGS
    ),
    "reset staff": lambda a, _doc, _tmp: staff.set_password(
        a, "secretariat.a", PASSWORD + "!", settings=FAST_SETTINGS
    ),
    "disable staff": lambda a, _doc, _tmp: staff.disable(a, "secretariat.a"),
}


def _withdraw(login: str, how: str) -> None:
    """What the exam manager (or the operator) did from another connection."""
    if how == "deleted":
        Staff.delete().where(Staff.login == login).execute()
    elif how == "disabled":
        Staff.update(disabled=True).where(Staff.login == login).execute()
    elif how == "demoted":  # an exam manager made school staff
        school = School.get(School.uai == SCHOOL_B)
        Staff.update(role=ROLE_SCHOOL, school=school).where(Staff.login == login).execute()
    elif how == "moved":  # school staff tied to another school
        school = School.get(School.uai == SCHOOL_A)
        Staff.update(school=school).where(Staff.login == login).execute()
    else:
        raise AssertionError(how)


def _state() -> tuple[object, ...]:
    """Everything a refused action must leave as it was."""
    return (
        Candidate.select().count(),
        Account.select().count(),
        Document.select().count(),
        Run.select().count(),
        School.select().count(),
        sorted(
            tuples(Account.select(Account.login, Account.password_version, Account.password_hash))
        ),
        sorted(tuples(School.select(School.uai, School.service_enabled))),
        sorted(tuples(Staff.select(Staff.login, Staff.password_hash, Staff.disabled))),
        AuditEvent.select().where(AuditEvent.action != "access.refused").count(),
    )


@pytest.fixture
def world(db_url: str) -> int:
    """Schools A and B, B with accounts, a document and pupils still without one; staff of
    both and an exam manager. Returns the id of B's document."""
    op = operator()
    for uai, offset in ((SCHOOL_A, 0), (SCHOOL_B, 100)):
        schools.add_school(op, uai, f"École {uai}")
        schools.set_service(op, uai, True)
        import_csv(
            op,
            uai,
            csv_bytes(
                *[f"{bea(offset + i)};Aubin;;Antoine;;02/02/2010;3A;DNB;Inscrit" for i in range(3)]
            ),
        )
    result = account_generation.generate(op, SCHOOL_B, settings=FAST_SETTINGS)
    import_csv(op, SCHOOL_B, csv_bytes(f"{bea(200)};Bernard;;Bea;;02/02/2010;3A;DNB;Inscrit"))
    staff.add_staff(op, "secretariat.a", PASSWORD, SCHOOL_A, settings=FAST_SETTINGS)
    staff.add_staff(op, "secretariat.b", PASSWORD, SCHOOL_B, settings=FAST_SETTINGS)
    staff.add_staff(op, "gestion", PASSWORD, None, ROLE_MANAGER, settings=FAST_SETTINGS)
    return result.documents[0].id


def _check_refused(actor: Actor, action: Action, doc: int, tmp_path: Path) -> None:
    before = _state()
    refusals = AuditEvent.select().where(AuditEvent.action == "access.refused").count()
    outcome = None
    with pytest.raises(AccessDenied) as raised:
        outcome = action(actor, doc, tmp_path)
    assert outcome is None  # nothing returned (no bytes, no passwords)
    assert "reconnectez-vous" in raised.value.message
    assert _state() == before
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # no file written
    events = list(
        AuditEvent.select().where(AuditEvent.action == "access.refused").order_by(AuditEvent.id)
    )
    assert len(events) == refusals + 1
    assert events[-1].actor == actor.login and not events[-1].success


@pytest.mark.parametrize("how", ["deleted", "disabled", "moved"])
@pytest.mark.parametrize("name", sorted(SCHOOL_ACTIONS))
def test_school_staff_withdrawn_between_screen_and_action(
    world: int, tmp_path: Path, name: str, how: str
) -> None:
    actor = staff_login.authenticate("secretariat.b", PASSWORD, settings=FAST_SETTINGS)
    out = tmp_path / "out"
    out.mkdir()
    _withdraw("secretariat.b", how)
    _check_refused(actor, SCHOOL_ACTIONS[name], world, out)


@pytest.mark.parametrize("how", ["deleted", "disabled", "demoted"])
@pytest.mark.parametrize("name", sorted(MANAGER_ACTIONS))
def test_manager_withdrawn_between_screen_and_action(
    world: int, tmp_path: Path, name: str, how: str
) -> None:
    actor = staff_login.authenticate("gestion", PASSWORD, settings=FAST_SETTINGS)
    out = tmp_path / "out"
    out.mkdir()
    _withdraw("gestion", how)
    _check_refused(actor, MANAGER_ACTIONS[name], world, out)


@pytest.mark.parametrize("name", sorted(SCHOOL_ACTIONS))
def test_an_active_account_still_acts(world: int, tmp_path: Path, name: str) -> None:
    """The same calls by the same account, not withdrawn, are not refused for access (the
    check above is about the withdrawal, not a refusal of everything)."""
    actor = staff_login.authenticate("secretariat.b", PASSWORD, settings=FAST_SETTINGS)
    out = tmp_path / "out"
    out.mkdir()
    try:
        SCHOOL_ACTIONS[name](actor, world, out)
    except AccessDenied as error:  # pragma: no cover - the failure this test looks for
        pytest.fail(f"{name} refused: {error.message}")
    except Exception:  # a missing printer is not an access refusal
        assert name == "print"
    assert not AuditEvent.select().where(AuditEvent.action == "access.refused").exists()


def _disable_from_another_connection(url: str, login: str) -> None:
    """The exam manager disables the account from their own session (another connection)."""
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        with connection:
            connection.execute("UPDATE staff SET disabled = 1 WHERE login = ?", (login,))
    finally:
        connection.close()


def _last_refusal() -> str:
    """The action named by the latest « access.refused » event (empty when none)."""
    event = (
        AuditEvent.select()
        .where(AuditEvent.action == "access.refused")
        .order_by(AuditEvent.id.desc())
        .first()
    )
    return "" if event is None else str(event.detail).split(" : ")[0]


async def test_a_disabled_session_saves_prints_views_and_generates_nothing(
    demo_url: str, tmp_path: Path
) -> None:
    account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS)
    import_csv(operator(), DEMO_UAI, csv_bytes(f"{bea(900)};Zola;;Zoé;;02/02/2010;3A;DNB;Inscrit"))
    accounts_before = Account.select().count()
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DocumentsScreen)
        await pilot.press("ctrl+s")  # « Enregistrer »: the prompt opens while still active
        await settle(pilot)
        assert isinstance(app.screen, PathModal)
        _disable_from_another_connection(demo_url, DEMO_STAFF)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DocumentsScreen)
        assert "Ce compte est désactivé" in text_of(pilot, "#message")
        assert _last_refusal() == "document.export"
        await pilot.press("ctrl+e")  # « Imprimer », asked first
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert _last_refusal() == "document.print"
        assert "Ce compte est désactivé" in text_of(pilot, "#message")
        await pilot.press("enter")  # « Voir »
        await settle(pilot)
        assert not isinstance(app.screen, PreviewScreen)
        assert _last_refusal() == "document.preview"
        assert "Ce compte est désactivé" in text_of(pilot, "#message")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("g")  # « Générer »: its screen already refuses to show the counts
        await settle(pilot)
        assert isinstance(app.screen, GenerateScreen)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert "Ce compte est désactivé" in text_of(pilot, "#message")
    folder = tmp_path / "fichiers" / DEMO_UAI / "documents"
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]
    assert Account.select().count() == accounts_before
