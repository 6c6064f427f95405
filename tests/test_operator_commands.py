"""The server operator's commands do no harm by accident (issue 16): `staff add` refuses a
taken login or an unknown school before asking for a password, `demo` never seeds a real
database, `documents export` never invents folders, `backup` speaks plain French, and
`--help` names the configuration file."""

from __future__ import annotations

import io
import os
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pexpect
import pytest

from cyclades_tui.cli import main
from cyclades_tui.services import schools
from cyclades_tui.services.actor import operator
from cyclades_tui.services.demo import DEMO_UAI
from cyclades_tui.store.models import AuditEvent, Candidate, School, Staff
from tests.helpers import OTHER_UAI, SCHOOL_PASSWORD, SCHOOL_UAI, Cli, CliResult, school_with_pupils
from tests.resilience_helpers import ROOT

SCRIPT = ROOT / ".venv" / "bin" / "cyclades-tui"
# Words of pg_dump's and libpq's English messages; none may reach the user.
ENGLISH = re.compile(
    r"\b(error|database|does not exist|failed|connection|server|"
    r"permission|denied|could not|No such|FATAL)\b"
)


def spawn(*args: str) -> pexpect.spawn:
    """The real command on a pseudo-terminal (getpass prompts there, as for the operator)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(ROOT),
        "CYCLADES_CONFIG": os.devnull,
        "CYCLADES_CHOSEN_COST": "4",
        "CYCLADES_PROVISIONAL_COST": "4",
    }
    return pexpect.spawn(str(SCRIPT), list(args), env=env, encoding="utf-8", timeout=60)


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["secretariat", "--school", SCHOOL_UAI], 1, "« secretariat » existe déjà"),
        (["Secretariat", "--school", OTHER_UAI], 1, "« secretariat » existe déjà"),
        (["nouvelle", "--school", "0000001X"], 2, "UAI"),
        (["nouvelle", "--school", "0350036Z"], 1, "Établissement 0350036Z inconnu"),
        (["nouvelle"], 2, "doit avoir un établissement"),
        (["a\tb", "--school", SCHOOL_UAI], 2, "Identifiant"),
        (["Mme Martin", "--school", SCHOOL_UAI], 2, "Identifiant « mme martin » invalide"),
    ],
)
def test_staff_add_refuses_before_asking_for_a_password(
    school_db: str, args: list[str], code: int, said: str
) -> None:
    term = spawn("staff", "add", *args, "--db", school_db)
    prompted = term.expect([pexpect.EOF, "Mot de passe"]) == 1
    term.close(force=True)
    assert not prompted and "Mot de passe" not in term.before, term.before
    assert said in term.before, term.before
    assert term.exitstatus == code, term.before


def test_staff_reset_password_of_an_unknown_login_refuses_before_the_prompt(school_db: str) -> None:
    term = spawn("staff", "reset-password", "personne", "--db", school_db)
    prompted = term.expect([pexpect.EOF, "Mot de passe"]) == 1
    term.close(force=True)
    assert not prompted and "« personne » inconnu" in term.before
    assert term.exitstatus == 1


def test_staff_add_still_asks_twice_for_a_good_request(school_db: str) -> None:
    term = spawn("staff", "add", "vie-scolaire", "--school", SCHOOL_UAI, "--db", school_db)
    term.expect_exact("Mot de passe : ")
    term.sendline(SCHOOL_PASSWORD)
    term.expect_exact("Mot de passe (encore) : ")
    term.sendline(SCHOOL_PASSWORD)
    term.expect(pexpect.EOF)
    term.close()
    assert "Compte « vie-scolaire » créé" in term.before and term.exitstatus == 0


def test_demo_refuses_a_database_holding_real_schools(db_url: str) -> None:
    cli = Cli(db_url)
    schools.add_school(operator(), OTHER_UAI, "Lycée Pasteur")
    events = AuditEvent.select().count()
    result = cli("demo", "--candidates", "5")
    assert result.code == 2, result.err
    assert OTHER_UAI in result.err and "démonstration" in result.err
    assert "\\x0a" not in result.err
    assert School.get_or_none(School.uai == DEMO_UAI) is None
    assert Staff.select().count() == 0 and Candidate.select().count() == 0
    assert AuditEvent.select().count() == events
    # --reset-password is refused alike.
    assert cli("demo", "--reset-password").code == 2
    assert Staff.select().count() == 0


def test_demo_seeds_an_empty_or_demo_only_database(db_url: str) -> None:
    cli = Cli(db_url)
    first = cli("demo", "--candidates", "5")
    assert first.code == 0 and "Mot de passe : " in first.out
    again = cli("demo", "--candidates", "5", "--reset-password")
    assert again.code == 0, again.err
    assert re.search(r"Mot de passe : \S{12,}", again.out), again.out


def test_documents_export_refuses_a_missing_folder(sqlite_url: str, tmp_path: Path) -> None:
    cli = Cli(sqlite_url)
    school_with_pupils(SCHOOL_UAI, 2)
    assert cli("accounts", "generate", "--school", SCHOOL_UAI).code == 0
    for path in (
        tmp_path / "absent" / "papillons.pdf",
        f"{tmp_path / 'absent'}/",
        tmp_path / "absent" / "plus-bas" / "p.pdf",
    ):
        result = cli("documents", "export", "1", str(path))
        assert result.code == 2, (path, result.err)
        assert "Dossier" in result.err and f"« {tmp_path / 'absent'} » introuvable" in (
            result.err
        ), result.err
        assert not (tmp_path / "absent").exists()
    (tmp_path / "present").mkdir()
    assert cli("documents", "export", "1", f"{tmp_path / 'present'}/").code == 0
    assert cli("documents", "export", "1", str(tmp_path / "present" / "a.pdf")).code == 0
    assert len(list((tmp_path / "present").iterdir())) == 2


def backup_cli(url: str, target: str) -> CliResult:
    """`backup` on ``url`` without reconnecting afterwards (the database may not exist)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["backup", target, "--db", url])
    return CliResult(code, out.getvalue(), err.getvalue())


def clean_french(text: str) -> None:
    """No control character spelled out and no English word in a message."""
    assert "\\x0a" not in text and "\\x09" not in text and "\\x" not in text, text
    assert not ENGLISH.search(text), text


@pytest.mark.postgres
def test_postgresql_backup_failures_speak_french(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    absent = pg_url.split("?")[0].rsplit("/", 1)[0] + "/base_absente_i16c"
    result = backup_cli(absent, str(tmp_path / "a.dump"))
    assert result.code == 1, result.err
    assert "base_absente_i16c" in result.err and "n'existe pas" in result.err, result.err
    clean_french(result.err)
    assert list(tmp_path.iterdir()) == []
    # An unreachable server (a port nobody listens on).
    closed = pg_url.replace(":5432/", ":9/")
    result = backup_cli(closed, str(tmp_path / "b.dump"))
    assert result.code == 1 and "injoignable" in result.err, result.err
    clean_french(result.err)
    # An unwritable path.
    result = Cli(pg_url)("backup", "/proc/sauvegarde.dump")
    assert result.code == 2
    clean_french(result.err)
    # No pg_dump here: the command to run elsewhere, on a line of its own, nothing spelled out.
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    result = Cli(pg_url)("backup", str(tmp_path / "c.dump"))
    assert result.code == 1
    clean_french(result.err)
    assert any(line.strip().startswith("pg_dump -Fc") for line in result.err.splitlines()), (
        result.err
    )
    assert list(tmp_path.iterdir()) == []


def test_sqlite_backup_failures_speak_french(sqlite_url: str, tmp_path: Path) -> None:
    missing = backup_cli(f"sqlite:///{tmp_path}/absente.db", str(tmp_path / "x.db"))
    assert missing.code == 2 and "introuvable" in missing.err
    clean_french(missing.err)
    for target in ("/proc/x.db", str(tmp_path), str(tmp_path / "absent" / "x.db")):
        result = Cli(sqlite_url)("backup", target)
        assert result.code == 2, (target, result.err)
        clean_french(result.err)


def test_help_names_the_configuration_file() -> None:
    term = spawn("--help")
    term.expect(pexpect.EOF)
    text = " ".join(term.before.split())
    assert "/etc/cyclades-tui/config.toml" in text and "CYCLADES_CONFIG" in text, text
    assert "cyclades-tui config" in text
