"""Edge cases found in review: each test failed before its fix."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.identifiers import validate_ine, validate_uai
from cyclades_tui.services import accounts, schools, staff
from cyclades_tui.services.actor import operator
from cyclades_tui.services.errors import AccessDenied, Refused
from cyclades_tui.store.database import demo_url
from cyclades_tui.store.models import Account, AuditEvent, Candidate, Staff
from tests.conftest import Cli
from tests.helpers import FAST_SETTINGS
from tests.siecle_factory import Pupil, export_zip
from tests.test_accounts import import_sample
from tests.test_csv_import import add_school, bea

PASSWORD = "un mot de passe long"


def test_identifiers_are_ascii_digits_only() -> None:
    with pytest.raises(DomainError):
        validate_ine("０２２８１９１５２０L")
    with pytest.raises(DomainError):
        validate_uai("０３９２６８９L")
    assert validate_ine("0228191520L") == "0228191520L"


def test_export_never_replaces_a_file_and_understands_folders(cli: Cli, tmp_path: Path) -> None:
    uai = import_sample(cli)
    result = accounts.generate(operator(), uai, settings=FAST_SETTINGS)
    victim = tmp_path / "precieux.db"
    victim.write_bytes(b"ne pas toucher")
    refused = cli("documents", "export", str(result.documents[0].id), str(victim))
    assert refused.code == 2 and "existe déjà" in refused.err
    assert victim.read_bytes() == b"ne pas toucher"
    link = tmp_path / "lien.pdf"
    link.symlink_to(victim)
    assert cli("documents", "export", str(result.documents[0].id), str(link)).code == 2
    assert victim.read_bytes() == b"ne pas toucher"
    folder = tmp_path / "nouveau"
    done = cli("documents", "export", str(result.documents[0].id), f"{folder}/")
    assert done.code == 0 and folder.is_dir() and len(list(folder.glob("*.pdf"))) == 1


def test_siecle_duplicate_ine_is_a_fault(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, "0392689L")
    path = tmp_path / "e.zip"
    path.write_bytes(export_zip("0392689L", [
        Pupil("1", bea(5), "Un", "A", "01/01/2011", "3A"),
        Pupil("2", bea(5), "Deux", "B", "01/01/2011", "3A")]))
    args = ("import", str(path), "--school", "0392689L", "--exam", "DNB", "--state", "inscrit")
    for extra in (("--dry-run",), ()):
        result = cli(*args, *extra)
        assert result.code == 2 and "déjà porté par Élève 1 (Un A)" in result.err
    assert Candidate.select().count() == 0


def test_parallel_wrong_passwords_all_count(db_url: str) -> None:
    schools.add_school(operator(), "0392689L", "Lycée")
    staff.add_staff(operator(), "cible", PASSWORD, "0392689L", settings=FAST_SETTINGS)
    barrier = threading.Barrier(8, timeout=30)

    def attempt() -> None:
        barrier.wait()
        with pytest.raises(Refused):
            staff.authenticate("cible", "mauvais", settings=FAST_SETTINGS)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Staff.get(Staff.login == "cible").locked_until is not None
    with pytest.raises(Refused, match="verrouillé"):
        staff.authenticate("cible", PASSWORD, settings=FAST_SETTINGS)


def test_a_password_typed_as_login_is_not_audited(db_url: str) -> None:
    with pytest.raises(Refused):
        staff.authenticate("Mon Secret 2026!", "x", settings=FAST_SETTINGS)
    trail = [(e.actor, e.detail) for e in AuditEvent.select()]
    assert trail == [("?", "identifiant inconnu")]


def test_import_refuses_what_is_not_a_file(cli: Cli) -> None:
    add_school(cli, "0392689L")
    for special in ("/dev/zero", "/tmp"):
        result = cli("import", special, "--school", "0392689L")
        assert result.code == 2 and "n'est pas un fichier" in result.err


def test_bad_ine_is_bad_input_before_any_refusal(cli: Cli) -> None:
    add_school(cli, "0392689L")
    assert cli("school", "service", "0392689L", "off").code == 0
    result = cli("accounts", "regenerate", "--school", "0392689L", "--ine", "XYZ")
    assert result.code == 2


def test_unusable_out_folder_stops_before_generating(cli: Cli, tmp_path: Path) -> None:
    uai = import_sample(cli)
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    result = cli("accounts", "generate", "--school", uai, "--out", str(blocker / "sous"))
    assert result.code == 2
    assert Account.select().count() == 0


def test_a_disabled_staff_member_is_stopped_mid_session(db_url: str) -> None:
    schools.add_school(operator(), "0392689L", "Lycée")
    staff.add_staff(operator(), "agent", PASSWORD, "0392689L", settings=FAST_SETTINGS)
    actor = staff.authenticate("agent", PASSWORD, settings=FAST_SETTINGS)
    assert accounts.status(actor, "0392689L").eligible == 0
    staff.disable(operator(), "agent")
    with pytest.raises(AccessDenied, match="désactivé"):
        accounts.status(actor, "0392689L")


def test_demo_never_uses_the_configured_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CYCLADES_DB", "postgresql://prod@academie/cyclades")
    assert demo_url().startswith("sqlite:///") and demo_url().endswith("cyclades-demo.db")
    assert "academie" not in demo_url()
    assert os.environ["CYCLADES_DB"] not in demo_url()
