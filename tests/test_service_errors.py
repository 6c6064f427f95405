"""The services' boundary: callers (CLI, screens) see only ServiceError subclasses.

Every public service function is called with its database unreachable (a SQLite file in a
folder that does not exist, a PostgreSQL server on a closed port); each must fail with a
ServiceError (DatabaseUnavailable when it got as far as the database), never a driver's
exception. A new public function must be added to CALLS (or to PURE, saying why it needs no
database), or the coverage test fails.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import cyclades_tui.services as services_package
from cyclades_tui.services import (
    account_exports,
    account_generation,
    account_regeneration,
    accounts,
    audit,
    candidates,
    csv_import,
    demo,
    directory,
    documents,
    files,
    import_chunks,
    import_core,
    import_records,
    own_password,
    printing,
    schools,
    siecle_import,
    single_slip,
    staff,
    staff_lockout,
    staff_login,
)
from cyclades_tui.services.access import require_active, require_school, staff_with_school
from cyclades_tui.services.actor import ROLE_SCHOOL, Actor, operator
from cyclades_tui.services.errors import DatabaseUnavailable, PupilsWithoutIne, ServiceError
from cyclades_tui.settings import Settings
from cyclades_tui.store.database import open_database
from cyclades_tui.store.models import School, utcnow
from tests.helpers import FAST_SETTINGS, csv_bytes

UAI = "0000001B"
STAFF = Actor(login="secretariat", role=ROLE_SCHOOL, school_uai=UAI)
SCHOOL = School(id=1, uai=UAI, name="Collège", service_enabled=True)
CSV = csv_bytes("1234567890V;Dupont;;Jean;;01/02/2010;3A;DNB;inscrit")
INE = "1234567890V"
DOCUMENT = documents.DocumentSummary(
    id=1,
    title="Papillons de connexion",
    layout=1,
    slips=1,
    size=1,
    type="PDF",
    created_at=datetime(2026, 1, 1),
    created_by="operateur",
    school=UAI,
)


def ldap_settings(tmp: Path) -> Settings:
    """Directory settings pointing at a closed port (the database is reached first)."""
    (tmp / "ldap-password").write_text("x\n")
    return replace(
        FAST_SETTINGS,
        ldap_url=f"ldap://127.0.0.1:{closed_port()}/",
        ldap_bind_dn="cn=admin,dc=test",
        ldap_base_dn="dc=test",
        ldap_bind_password_file=tmp / "ldap-password",
    )


# Each public function that reads or writes the database, called with valid-looking input so
# that it gets as far as the database. Actors: the operator (no staff row read) and a staff
# member (whose row is read first).
CALLS: dict[str, Callable[[Path], object]] = {
    "account_generation.status": lambda _: account_generation.status(operator(), UAI),
    "account_generation.pending_candidates": lambda _: account_generation.pending_candidates(
        STAFF, UAI
    ),
    "account_generation.generate": lambda _: account_generation.generate(
        operator(), UAI, settings=FAST_SETTINGS
    ),
    "account_regeneration.find_for_regeneration": lambda _: (
        account_regeneration.find_for_regeneration(operator(), UAI, "1234567890V")
    ),
    "account_regeneration.regenerate": lambda _: account_regeneration.regenerate(
        operator(), UAI, "1234567890V", settings=FAST_SETTINGS
    ),
    "accounts.verify": lambda _: accounts.verify("jdupont", "x", settings=FAST_SETTINGS),
    "accounts.change_password": lambda _: accounts.change_password(
        "jdupont", "x", "Nouveau-mot-de-passe-42", settings=FAST_SETTINGS
    ),
    "account_exports.schools_for": lambda _: account_exports.schools_for(
        operator(), None, every=True
    ),
    "account_exports.site_accounts": lambda _: account_exports.site_accounts([SCHOOL]),
    "account_exports.export": lambda tmp: account_exports.export(
        operator(), "htpasswd", tmp / "htpasswd", UAI
    ),
    "directory.ldap_sync": lambda tmp: directory.ldap_sync(operator(), ldap_settings(tmp), UAI),
    "access.require_active": lambda _: require_active(STAFF),
    "access.require_school": lambda _: require_school(operator(), UAI),
    "access.staff_with_school": lambda _: staff_with_school("secretariat"),
    "audit.for_school": lambda _: audit.for_school(operator(), UAI),
    "audit.every_event": lambda _: audit.every_event(operator()),
    "audit.for_journal": lambda _: audit.for_journal(operator(), UAI),
    "audit.entries": lambda _: audit.entries(SCHOOL),
    "candidates.list_candidates": lambda _: candidates.list_candidates(operator(), UAI),
    "candidates.eligible_without_account": lambda _: candidates.eligible_without_account(SCHOOL),
    "candidates.find_by_ine": lambda _: candidates.find_by_ine(SCHOOL, "1234567890V"),
    "candidates.find_by_name": lambda _: candidates.find_by_name(operator(), UAI, "Dupont"),
    "candidates.school_homonyms": lambda _: candidates.school_homonyms(SCHOOL),
    "csv_import.import_csv": lambda _: csv_import.import_csv(operator(), UAI, CSV),
    "import_core.store_records": lambda _: import_core.store_records(
        operator(),
        SCHOOL,
        csv_import.parse_csv(CSV)[0],
        [],
        dry_run=False,
        origin="csv",
        where=import_records.line_of,
    ),
    "import_chunks.existing_candidates": lambda _: import_chunks.existing_candidates([INE]),
    "import_chunks.write_chunks": lambda _: import_chunks.write_chunks(
        operator(),
        SCHOOL,
        csv_import.parse_csv(CSV)[0],
        {},
        import_records.ImportReport(UAI),
        "csv",
        keep_existing_state=False,
        max_candidates=None,
    ),
    "demo.seed_demo": lambda _: demo.seed_demo(3, settings=FAST_SETTINGS),
    "demo.reset_demo_password": lambda _: demo.reset_demo_password(settings=FAST_SETTINGS),
    "demo.refuse_real_schools": lambda _: demo.refuse_real_schools(),
    "documents.count_documents": lambda _: documents.count_documents(operator(), UAI),
    "documents.list_documents": lambda _: documents.list_documents(operator(), UAI),
    "documents.fetch": lambda _: documents.fetch(operator(), 1),
    "documents.record_use": lambda _: documents.record_use(
        operator(), "document.export", DOCUMENT, "document 1 -> out.pdf"
    ),
    "documents.export": lambda tmp: documents.export(operator(), 1, tmp / "out.pdf"),
    "documents.preview": lambda _: documents.preview(operator(), 1),
    "documents.purge": lambda _: documents.purge(operator(), 30, UAI),
    "files.proposed_name": lambda tmp: files.proposed_name(operator(), 1, tmp),
    "files.save_document": lambda tmp: files.save_document(operator(), 1, tmp, "out.pdf"),
    "printing.print_document": lambda _: printing.print_document(operator(), 1),
    "single_slip.render": lambda _: single_slip.render(operator(), 1, "1234567890V", "https://x"),
    "single_slip.export": lambda tmp: single_slip.export(
        operator(), 1, "1234567890V", tmp / "seul.pdf", "https://x"
    ),
    "single_slip.save_in_school": lambda tmp: single_slip.save_in_school(
        operator(), 1, "1234567890V", tmp, "seul.pdf", "https://x"
    ),
    "single_slip.proposed_name": lambda tmp: single_slip.proposed_name(
        operator(), 1, "1234567890V", tmp
    ),
    "single_slip.print_slip": lambda _: single_slip.print_slip(
        operator(), 1, "1234567890V", "https://x"
    ),
    "schools.add_school": lambda _: schools.add_school(operator(), UAI, "Collège"),
    "schools.set_service": lambda _: schools.set_service(operator(), UAI, True),
    "schools.list_schools": lambda _: schools.list_schools(operator()),
    "siecle_import.import_siecle": lambda _: siecle_import.import_siecle(
        operator(), UAI, b"<x/>", "DNB", "inscrit"
    ),
    "staff.add_staff": lambda _: staff.add_staff(
        operator(),
        "secretariat",
        "Mot-de-passe-solide-42",
        UAI,
        settings=FAST_SETTINGS,
        must_change=False,
    ),
    "staff.set_password": lambda _: staff.set_password(
        operator(),
        "secretariat",
        "Mot-de-passe-solide-42",
        settings=FAST_SETTINGS,
        must_change=False,
    ),
    "staff_login.authenticate": lambda _: staff_login.authenticate(
        "secretariat", "x", settings=FAST_SETTINGS
    ),
    "staff_login.actor_for": lambda _: staff_login.actor_for("secretariat"),
    "staff.list_staff": lambda _: staff.list_staff(operator()),
    "staff.school_name": lambda _: staff.school_name(UAI),
    "staff.disable": lambda _: staff.disable(operator(), "secretariat"),
    "staff.check_new_staff": lambda _: staff.check_new_staff(operator(), "secretariat", UAI),
    "staff.check_existing_staff": lambda _: staff.check_existing_staff(operator(), "secretariat"),
    "staff.enable": lambda _: staff.enable(operator(), "secretariat"),
    "staff.unlock": lambda _: staff.unlock(operator(), "secretariat"),
    "staff_lockout.take_attempt_slot": lambda _: staff_lockout.take_attempt_slot(
        1, utcnow(), FAST_SETTINGS, "192.0.2.1"
    ),
    "own_password.must_change_password": lambda _: own_password.must_change_password("secretariat"),
    "own_password.change_own_password": lambda _: own_password.change_own_password(
        Actor("secretariat", school_uai=UAI),
        "Mot-de-passe-solide-42",
        "Autre-mot-solide-43",
        settings=FAST_SETTINGS,
    ),
}

# Public functions that never touch the models' database, each with the reason.
PURE = {
    "single_slip.matching_slips": "filters the slips it is given",
    "access.parse_uai": "checks a code",
    "account_exports.escape_rdn": "escapes a value",
    "account_exports.ou_dn": "builds a DN",
    "account_exports.account_dn": "builds a DN",
    "account_exports.directory_password": "builds a value",
    "account_exports.ou_attributes": "builds attributes",
    "account_exports.account_attributes": "builds attributes",
    "account_exports.ldif_text": "builds text",
    "account_exports.htpasswd_text": "builds text",
    "access.require_service": "reads the School row it is given",
    "actor.operator": "builds an Actor",
    "audit.record": "called inside the caller's write_transaction, which maps its errors",
    "backup.backup": "opens its own connection to the URL; tests in test_backup.py",
    "backup.pg_dump_options": "builds a command line",
    "backup.pg_dump_reason": "translates pg_dump's message",
    "candidates.eligible_condition": "builds an SQL expression",
    "candidates.name_key": "folds a name",
    "import_core.read_input": "reads a file",
    "import_records.line_of": "names a record",
    "import_records.check_record": "checks fields",
    "import_chunks.apply_record": "runs inside the caller's write_transaction (or only counts)",
    "import_chunks.check_limit": "runs inside the caller's db_errors or write_transaction",
    "slip_documents.slip_data": "builds a value",
    "slip_documents.document_info": "builds a value",
    "slip_documents.new_document": "runs inside the caller's write_transaction",
    "files.unreadable": "a message",
    "siecle_import.pupil_of": "names a record",
    "csv_import.decode": "decodes bytes",
    "csv_import.parse_csv": "parses bytes",
    "import_chunks.too_many": "builds a message",
    "demo.demo_records": "builds records",
    "documents.summary": "reads the Document row it is given",
    "private_files.write_private": "writes a file",
    "faults.checkpoint": "test fault injection",
    "files.school_folder": "computes a path",
    "files.outside": "describes a path",
    "files.confine": "resolves a path",
    "files.shown": "describes a path",
    "files.read_confined": "reads a file",
    "files.incoming_files": "lists a folder",
    "files.free_name": "lists a folder",
    "private_files.open_folder": "file system only",
    "private_files.create_temp": "file system only",
    "private_files.discard": "file system only",
    "private_files.publish": "file system only",
    "private_files.write_all": "file system only",
    "private_files.write_new": "file system only",
    "printing.no_such_printer": "a message",
    "printing.printer_stopped": "a message",
    "printing.printer_rejecting": "a message",
    "printing.printing_available": "looks for lp",
    "printing.list_printers": "asks CUPS",
    "printing.check_queue": "asks CUPS",
    "printing.send": "asks CUPS (the caller audits)",
    "printing.default_queue": "asks CUPS",
    "files.save_bytes": "writes a file (the caller audits)",
    "documents.refuse_links": "looks at a path",
    "credentials.hash_all": "hashes passwords",
    "credentials.assign_logins": "called inside the caller's db_errors",
    "documents.write_new_file": "writes a file (the caller audits)",
    "documents.write_to_path": "writes a file (the caller audits)",
    "access.require_manager": "checks the actor's role",
    "single_slip.not_in_document": "a message",
    "single_slip.slip_file_name": "builds a name",
    "memory.limit_memory": "a process limit, no database",
    "demo.demo_url": "builds a URL, no database",
    "db_errors.describe_db_error": "a message",
    "db_errors.db_errors": "the wrapper itself",
    "db_session.connect": "maps its errors itself; tests in test_resilience.py",
    "db_session.init_schema": "maps its errors itself",
    "db_session.write_transaction": "the wrapper itself",
    "db_session.compiled": "builds SQL text (callers wrap it in db_errors)",
    "db_session.run_compiled": "runs inside the caller's write_transaction, which maps its errors",
    "printing.printer_unreachable": "a message",
    "schools.info": "reads the School row it is given",
    "siecle_export.parse_siecle": "parses bytes",
    "siecle_xml.printable": "quotes a value",
    "siecle_xml.too_big": "builds a message",
    "siecle_xml.xml_chunks": "decompresses bytes",
    "siecle_xml.read_export": "parses bytes",
    "siecle_xml.bad_encoding": "builds a message",
    "siecle_export.check_school": "compares codes",
    "siecle_export.read_file": "reads a file",
    "siecle_export.export_divisions": "parses a file",
    "staff_login.refusal_message": "a message",
    "staff.check_staff_password": "checks a password's strength",
    "staff_lockout.client_address": "reads SSH_CONNECTION",
    "ldap_connection.directory_settings": "reads the settings and a password file",
    "ldap_connection.ldap_reason": "a message",
    "ldap_connection.connect": "opens an LDAP connection, no database",
    "ldap_connection.school_entries": "reads the LDAP directory, no database",
    "staff_lockout.slot_address": "reads the Staff row it is given and the settings",
    "staff_lockout.forget_failures": "runs inside the caller's write_transaction",
    "staff_lockout.lift_lockout": "runs inside the caller's write_transaction",
    "staff_login.prepare_login": "computes a dummy hash",
    "staff_login.dummy_hash_ready": "looks at this process's dummy hashes",
}


def public_functions() -> set[str]:
    """``module.function`` for every public function defined in cyclades_tui.services."""
    found = set()
    for module_info in pkgutil.iter_modules(services_package.__path__):
        module = importlib.import_module(f"cyclades_tui.services.{module_info.name}")
        for name, value in vars(module).items():
            if (
                not name.startswith("_")
                and inspect.isfunction(value)
                and value.__module__ == module.__name__
            ):
                found.add(f"{module_info.name}.{name}")
    return found


def closed_port() -> int:
    """A loopback port nothing listens on (picked by the system, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["sqlite", "postgresql"])
def unreachable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """The models pointed at a SQLite file that cannot be opened, or at a PostgreSQL server
    that is not there (a closed loopback port)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'missing' / 'cyclades.db'}"
    else:
        url = f"postgresql://postgres@127.0.0.1:{closed_port()}/test"
    db = open_database(url)
    yield tmp_path
    db.close()


def test_every_public_service_function_is_listed() -> None:
    assert public_functions() == set(CALLS) | set(PURE)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_only_service_errors_escape(name: str, unreachable: Path) -> None:
    with pytest.raises(Exception) as raised:  # any type: which one is what is checked
        CALLS[name](unreachable)
    error: Any = raised.value
    assert isinstance(error, ServiceError), f"{name} let {type(error).__name__} escape"
    assert isinstance(error, DatabaseUnavailable), f"{name}: {error.message}"
    assert "base de données" in error.message


def test_pupils_without_ine_carry_the_list() -> None:
    error = PupilsWithoutIne("2 élève(s) sans INE valide", ["Élève 1 : a", "Élève 2 : b"])
    assert error.pupils == ["Élève 1 : a", "Élève 2 : b"]
    assert error.exit_code == 2 and "--yes" not in error.message
