"""Staff accounts, lock-out, roles, and the rule that nobody reaches another school's data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from cyclades_tui.domain.names import local_time
from cyclades_tui.services import (
    account_generation,
    account_regeneration,
    audit,
    candidates,
    documents,
    printing,
    schools,
    staff,
    staff_login,
)
from cyclades_tui.services.actor import ROLE_MANAGER, Actor, operator
from cyclades_tui.services.csv_import import import_csv
from cyclades_tui.services.errors import AccessDenied, BadInput, Refused
from cyclades_tui.services.siecle_import import import_siecle
from cyclades_tui.store.models import AuditEvent, Staff, StaffAddressLock, utcnow
from tests.helpers import FAST_SETTINGS, Cli, bea, csv_bytes
from tests.siecle_factory import Pupil, export_zip

SCHOOL_A, SCHOOL_B = "0392689L", "0750001U"
PASSWORD = "un mot de passe long"


@pytest.fixture
def two_schools(db_url: str) -> tuple[Actor, Actor, int]:
    """Schools A and B with pupils and accounts; staff of each; the id of a B document."""
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
    staff.add_staff(
        op, "secretariat.a", PASSWORD, SCHOOL_A, settings=FAST_SETTINGS, must_change=False
    )
    staff.add_staff(
        op, "secretariat.b", PASSWORD, SCHOOL_B, settings=FAST_SETTINGS, must_change=False
    )
    a = staff_login.authenticate("secretariat.a", PASSWORD, settings=FAST_SETTINGS)
    b = staff_login.authenticate("secretariat.b", PASSWORD, settings=FAST_SETTINGS)
    return a, b, result.documents[0].id


def test_staff_of_a_is_refused_everything_on_b(
    two_schools: tuple[Actor, Actor, int], tmp_path: Path
) -> None:
    a, b, doc_b = two_schools
    ine_b = bea(100)
    attempts: dict[str, Callable[[], object]] = {
        "status": lambda: account_generation.status(a, SCHOOL_B),
        "pending": lambda: account_generation.pending_candidates(a, SCHOOL_B),
        "generate": lambda: account_generation.generate(a, SCHOOL_B, settings=FAST_SETTINGS),
        "find": lambda: account_regeneration.find_for_regeneration(a, SCHOOL_B, ine_b),
        "regenerate": lambda: account_regeneration.regenerate(
            a, SCHOOL_B, ine_b, settings=FAST_SETTINGS
        ),
        "list candidates": lambda: candidates.list_candidates(a, SCHOOL_B),
        "import csv": lambda: import_csv(
            a, SCHOOL_B, csv_bytes(f"{bea(500)};X;;Y;;01/01/2010;3A;DNB;Inscrit")
        ),
        "import siecle": lambda: import_siecle(
            a,
            SCHOOL_B,
            export_zip(SCHOOL_B, [Pupil("1", bea(501), "X", "Y", "01/01/2010", "3A")]),
            "DNB",
            "inscrit",
        ),
        "count documents": lambda: documents.count_documents(a, SCHOOL_B),
        "list documents": lambda: documents.list_documents(a, SCHOOL_B),
        "fetch document": lambda: documents.fetch(a, doc_b),
        "export document": lambda: documents.export(a, doc_b, tmp_path / "x.pdf"),
        "preview document": lambda: documents.preview(a, doc_b),
        "print document": lambda: printing.print_document(a, doc_b),
        "audit": lambda: audit.for_school(a, SCHOOL_B),
        "service": lambda: schools.set_service(a, SCHOOL_B, False),
        "own service": lambda: schools.set_service(a, SCHOOL_A, False),
        "add school": lambda: schools.add_school(a, "0690001B", "X"),
        "add staff": lambda: staff.add_staff(
            a, "intrus", PASSWORD, SCHOOL_A, settings=FAST_SETTINGS, must_change=False
        ),
        "reset staff": lambda: staff.set_password(
            a, "secretariat.b", PASSWORD + "!", settings=FAST_SETTINGS, must_change=False
        ),
        "disable staff": lambda: staff.disable(a, "secretariat.b"),
    }
    for name, attempt in attempts.items():
        if name == "print document" and not printing.printing_available():
            # Without CUPS the refusal comes first; ownership is still checked by fetch.
            continue
        with pytest.raises(Refused) as caught:
            attempt()
        assert isinstance(caught.value, AccessDenied) or "introuvable" in caught.value.message, (
            name,
            caught.value.message,
        )
        assert "0750001U" not in caught.value.message or name not in ("fetch document",), name
    # Nothing of B changed, and B's staff still work normally.
    assert account_generation.status(b, SCHOOL_B).with_account == 3
    assert len(documents.list_documents(b, SCHOOL_B)) == 2
    assert [s.uai for s in schools.list_schools(a)] == [SCHOOL_A]
    assert {s.login for s in staff.list_staff(a)} == {"secretariat.a"}
    # A's own school works for A.
    assert account_generation.generate(a, SCHOOL_A, settings=FAST_SETTINGS).created == 3


def test_five_failures_lock_the_account(two_schools: tuple[Actor, Actor, int]) -> None:
    for _ in range(5):
        with pytest.raises(Refused, match="incorrect"):
            staff_login.authenticate("secretariat.a", "mauvais", settings=FAST_SETTINGS)
    with pytest.raises(Refused) as locked:
        staff_login.authenticate("secretariat.a", PASSWORD, settings=FAST_SETTINGS)
    # The same answer as a wrong password; only the audit trail tells the cause.
    assert locked.value.message == staff_login.refusal_message(FAST_SETTINGS)
    assert AuditEvent.select().order_by(AuditEvent.id.desc()).first().detail == (
        "compte verrouillé"
    )
    # Once the lock has expired, the right password works again.
    Staff.update(locked_until=utcnow() - timedelta(seconds=1)).where(
        Staff.login == "secretariat.a"
    ).execute()
    assert (
        staff_login.authenticate("secretariat.a", PASSWORD, settings=FAST_SETTINGS).school_uai
        == SCHOOL_A
    )
    # A success resets the count: four more failures do not lock.
    for _ in range(4):
        with pytest.raises(Refused, match="incorrect"):
            staff_login.authenticate("secretariat.a", "mauvais", settings=FAST_SETTINGS)
    assert (
        staff_login.authenticate("secretariat.a", PASSWORD, settings=FAST_SETTINGS).login
        == "secretariat.a"
    )


def test_unknown_login_and_disabled_account(two_schools: tuple[Actor, Actor, int]) -> None:
    with pytest.raises(Refused, match="incorrect") as unknown:
        staff_login.authenticate("personne", PASSWORD, settings=FAST_SETTINGS)
    staff.disable(operator(), "secretariat.b")
    with pytest.raises(Refused) as disabled:
        staff_login.authenticate("secretariat.b", PASSWORD, settings=FAST_SETTINGS)
    # One answer for both: it must not tell which logins exist or are disabled.
    assert disabled.value.message == unknown.value.message
    causes = [
        e.detail
        for e in AuditEvent.select().where(AuditEvent.action == "login").order_by(AuditEvent.id)
    ]
    assert causes[-2:] == ["identifiant inconnu : « personne »", "compte désactivé"]


def test_exam_manager_acts_for_any_school(two_schools: tuple[Actor, Actor, int]) -> None:
    staff.add_staff(
        operator(),
        "gestionnaire",
        PASSWORD,
        None,
        role=ROLE_MANAGER,
        settings=FAST_SETTINGS,
        must_change=False,
    )
    manager = staff_login.authenticate("gestionnaire", PASSWORD, settings=FAST_SETTINGS)
    assert manager.school_uai is None and manager.role == ROLE_MANAGER
    assert [s.uai for s in schools.list_schools(manager)] == [SCHOOL_A, SCHOOL_B]
    assert not schools.set_service(manager, SCHOOL_A, False).service_enabled
    with pytest.raises(Refused, match="n'est pas positionné"):
        account_generation.generate(manager, SCHOOL_A, settings=FAST_SETTINGS)
    assert schools.set_service(manager, SCHOOL_A, True).service_enabled
    assert account_generation.status(manager, SCHOOL_B).with_account == 3


def test_staff_passwords_rules(two_schools: tuple[Actor, Actor, int]) -> None:
    with pytest.raises(BadInput, match="12 caractères"):
        staff.add_staff(
            operator(), "court", "trop court", SCHOOL_A, settings=FAST_SETTINGS, must_change=False
        )
    with pytest.raises(BadInput, match="établissement"):
        staff.add_staff(
            operator(), "sans.ecole", PASSWORD, None, settings=FAST_SETTINGS, must_change=False
        )
    with pytest.raises(Refused, match="existe déjà"):
        staff.add_staff(
            operator(),
            "secretariat.a",
            PASSWORD,
            SCHOOL_A,
            settings=FAST_SETTINGS,
            must_change=False,
        )
    hashed = Staff.get(Staff.login == "secretariat.a").password_hash
    assert hashed.startswith("$2b$") and PASSWORD not in hashed


def test_staff_cli(cli: Cli) -> None:
    assert cli("school", "add", SCHOOL_A, "École A").code == 0
    mismatch = cli(
        "staff", "add", "agent", "--school", SCHOOL_A, stdin=f"{PASSWORD}\nautre chose longue\n"
    )
    assert mismatch.code == 2 and "diffèrent" in mismatch.err
    made = cli("staff", "add", "agent", "--school", SCHOOL_A, stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert made.code == 0, made.err
    manager = cli(
        "staff", "add", "chef", "--role", "gestionnaire", stdin=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert manager.code == 0, manager.err
    listing = cli("staff", "list").out
    assert "agent" in listing and SCHOOL_A in listing and "gestionnaire" in listing
    assert (
        cli(
            "staff",
            "reset-password",
            "agent",
            stdin="nouveau mot de passe!\nnouveau mot de passe!\n",
        ).code
        == 0
    )
    assert (
        staff_login.authenticate("agent", "nouveau mot de passe!", settings=FAST_SETTINGS).login
        == "agent"
    )
    assert cli("staff", "disable", "agent").code == 0
    assert "désactivé" in cli("staff", "list").out
    assert cli("staff", "disable", "inconnu").code == 1


def test_a_disabled_staff_member_is_stopped_mid_session(db_url: str) -> None:
    schools.add_school(operator(), "0392689L", "Lycée")
    staff.add_staff(
        operator(), "agent", PASSWORD, "0392689L", settings=FAST_SETTINGS, must_change=False
    )
    actor = staff_login.authenticate("agent", PASSWORD, settings=FAST_SETTINGS)
    assert account_generation.status(actor, "0392689L").eligible == 0
    staff.disable(operator(), "agent")
    with pytest.raises(AccessDenied, match="désactivé"):
        account_generation.status(actor, "0392689L")


def test_staff_list_shows_locks_and_passwords_to_change(cli: Cli) -> None:
    """« staff list » tells the operator what ``unlock``, ``enable`` or a reset would fix."""
    assert cli("school", "add", SCHOOL_A, "École A").code == 0
    for login, extra in (
        ("bloque", []),
        ("neuf", []),
        ("sien", ["--keep-password"]),
        ("parti", ["--keep-password"]),
    ):
        made = cli(
            "staff", "add", login, "--school", SCHOOL_A, *extra, stdin=f"{PASSWORD}\n{PASSWORD}\n"
        )
        assert made.code == 0, made.err
    for _ in range(FAST_SETTINGS.lockout_attempts):
        with pytest.raises(Refused):
            staff_login.authenticate("bloque", "mauvais mot de passe", settings=FAST_SETTINGS)
    assert cli("staff", "disable", "parti").code == 0
    lines = {line.split()[0]: line for line in cli("staff", "list").out.splitlines()}
    until = Staff.get(Staff.login == "bloque").locked_until
    assert f"verrouillé jusqu'à {local_time(until):%H:%M}" in lines["bloque"]
    assert "mot de passe à changer" in lines["neuf"] and "verrouillé" not in lines["neuf"]
    assert "actif" in lines["sien"] and "à changer" not in lines["sien"]
    assert "désactivé" in lines["parti"] and "verrouillé" not in lines["parti"]
    # An expired lock is no longer in force: not shown.
    Staff.update(locked_until=utcnow() - timedelta(seconds=1)).where(
        Staff.login == "bloque"
    ).execute()
    assert "verrouillé" not in cli("staff", "list").out


def test_staff_list_shows_a_per_address_lock_with_its_address(cli: Cli) -> None:
    staff.add_staff(
        operator(),
        "chef",
        PASSWORD,
        None,
        role=ROLE_MANAGER,
        settings=FAST_SETTINGS,
        must_change=False,
    )
    chef = Staff.get(Staff.login == "chef")
    until = utcnow() + timedelta(minutes=15)
    StaffAddressLock.create(staff=chef, address="192.0.2.7", failed_attempts=5, locked_until=until)
    StaffAddressLock.create(staff=chef, address="192.0.2.8", failed_attempts=2)
    [info] = staff.list_staff(operator())
    assert info.locks == (staff.StaffLock(until=until, address="192.0.2.7"),)
    line = cli("staff", "list").out
    assert f"verrouillé jusqu'à {local_time(until):%H:%M} depuis 192.0.2.7" in line
    assert "192.0.2.8" not in line and "actif" in line


def test_every_manager_only_act_is_refused_to_school_staff_in_one_wording(
    two_schools: tuple[Actor, Actor, int],
) -> None:
    from cyclades_tui.services import account_exports

    a, _, _ = two_schools
    attempts: dict[str, Callable[[], object]] = {
        "peut ajouter un établissement": lambda: schools.add_school(a, "0750002V", "X"),
        "peut positionner le service de gestion des candidats en établissement": lambda: (
            schools.set_service(a, SCHOOL_A, False)
        ),
        "peut créer des comptes du personnel": lambda: staff.check_new_staff(a, "x", SCHOOL_A),
        "peut réinitialiser un mot de passe": lambda: staff.check_existing_staff(a, "x"),
        "peut déverrouiller un compte": lambda: staff.unlock(a, "secretariat.b"),
        "voit le journal de tous les établissements": lambda: audit.every_event(a),
    }
    for what, attempt in attempts.items():
        with pytest.raises(AccessDenied) as refused:
            attempt()
        assert refused.value.message == f"Seul le gestionnaire des examens {what}."
    with pytest.raises(AccessDenied) as every:
        account_exports.schools_for(a, None, every=True)
    assert every.value.message == (
        "Accès refusé : seul le gestionnaire des examens agit pour tous les établissements."
    )
