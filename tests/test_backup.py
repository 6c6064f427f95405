"""`cyclades-tui backup PATH`: a consistent copy, even while another process generates;
a new private file every time; PostgreSQL through pg_dump."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from cyclades_tui.services.db_session import connect
from cyclades_tui.store.models import Account, Document
from tests.helpers import Cli, school_with_pupils, wait_until
from tests.resilience_helpers import (
    check_every_account_has_its_slip,
    cli_process,
    eligible_count,
    run_cli,
)

UAI = "0392689L"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def slips_in_backup(path: Path) -> int:
    """Open the backup as it is (``--db sqlite:///PATH``) and check every stored slip in it;
    returns the number of accounts it holds."""
    listed = run_cli(f"sqlite:///{path}", "documents", "list", "--school", UAI, "--json")
    assert listed.returncode == 0, listed.stderr
    connect(f"sqlite:///{path}")
    count = check_every_account_has_its_slip()
    assert len(json.loads(listed.stdout)) == Document.select().count()
    return count


def test_backup_during_a_generation_is_consistent(sqlite_url: str, tmp_path: Path) -> None:
    school_with_pupils(UAI, 60)
    eligible = eligible_count()
    cli = Cli(sqlite_url)
    # 1. A generation stopped inside its write transaction (accounts and documents written,
    #    not committed): the backup neither waits for it nor copies half of it.
    mark = tmp_path / "in-transaction"
    held = cli_process(
        sqlite_url,
        "accounts",
        "generate",
        "--school",
        UAI,
        env={"CYCLADES_FAULT": "hold:generate.before-commit", "CYCLADES_FAULT_MARK": str(mark)},
    )
    try:
        wait_until(mark.exists, 60, lambda: held.stderr.read() if held.stderr else "")
        result = cli("backup", str(tmp_path / "pendant-ecriture.db"))
        assert result.code == 0, result.err
    finally:
        held.kill()
        held.communicate(timeout=60)
    assert slips_in_backup(tmp_path / "pendant-ecriture.db") == 0

    # 2. Backups taken one after the other while a real generation runs in another process.
    connect(sqlite_url)
    running = cli_process(sqlite_url, "accounts", "generate", "--school", UAI, cost=8)
    copies: list[tuple[Path, bool]] = []
    while running.poll() is None or len(copies) < 2:
        target = tmp_path / f"copie-{len(copies)}.db"
        busy = running.poll() is None
        result = cli("backup", str(target))
        assert result.code == 0, result.err
        assert "Sauvegarde écrite" in result.out
        copies.append((target, busy))
    _, err = running.communicate(timeout=300)
    assert running.returncode == 0, err
    assert any(busy for _, busy in copies), "aucune copie prise pendant la génération"
    for path, _ in copies:
        assert mode(path) == 0o600
        assert not Path(f"{path}-wal").exists()  # one self-contained file
        assert slips_in_backup(path) in (0, eligible)
    # The last copy, taken after the generation, holds every account.
    final = tmp_path / "apres.db"
    connect(sqlite_url)
    assert cli("backup", str(final)).code == 0
    assert slips_in_backup(final) == eligible == 60


def test_backup_never_replaces_a_file(sqlite_url: str, tmp_path: Path) -> None:
    school_with_pupils(UAI, 3)
    cli = Cli(sqlite_url)
    existing = tmp_path / "sauvegarde.db"
    existing.write_bytes(b"ancienne sauvegarde")
    result = cli("backup", str(existing))
    assert result.code == 2
    assert "existe déjà" in result.err and "ne remplace jamais" in result.err
    assert existing.read_bytes() == b"ancienne sauvegarde"
    # Nor through a symbolic link.
    link = tmp_path / "lien.db"
    link.symlink_to(existing)
    assert cli("backup", str(link)).code == 2
    assert existing.read_bytes() == b"ancienne sauvegarde"
    # A folder, a missing folder, the database itself: bad input, nothing written.
    assert cli("backup", str(tmp_path)).code == 2
    assert cli("backup", str(tmp_path / "absent" / "x.db")).code == 2
    assert not (tmp_path / "absent").exists()
    assert cli("backup", sqlite_url[len("sqlite:///") :]).code == 2


def test_backup_of_a_missing_database_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cyclades_tui.cli import main

    code = main(["backup", str(tmp_path / "copie.db"), "--db", f"sqlite:///{tmp_path}/x.db"])
    assert code == 2
    assert "introuvable" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.postgres
def test_postgresql_backup_is_a_pg_dump_archive(pg_url: str, tmp_path: Path) -> None:
    school_with_pupils(UAI, 4)
    cli = Cli(pg_url)
    assert cli("accounts", "generate", "--school", UAI).code == 0
    target = tmp_path / "academie.dump"
    result = cli("backup", str(target))
    assert result.code == 0, result.err
    assert "pg_dump -Fc" in result.out
    assert mode(target) == 0o600
    listing = subprocess.run(
        ["pg_restore", "--list", str(target)], capture_output=True, text=True, check=False
    )
    assert listing.returncode == 0, listing.stderr
    assert "TABLE DATA" in listing.stdout and " document " in listing.stdout
    assert Account.select().count() == 4
    # Never over an existing file.
    again = cli("backup", str(target))
    assert again.code == 2 and "existe déjà" in again.err


@pytest.mark.postgres
def test_without_pg_dump_it_says_what_to_run(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # no pg_dump there
    with_password = pg_url.replace("postgres@", "postgres:motdepasse@")
    target = tmp_path / "academie.dump"
    result = Cli(with_password)("backup", str(target))
    assert result.code == 1
    schema = pg_url.rsplit("schema=", 1)[1]
    assert (
        f"pg_dump -Fc -h 127.0.0.1 -p 5432 -U postgres -n {schema} -f {target} test" in result.err
    )
    assert "motdepasse" not in result.err + result.out
    assert not target.exists()


def test_backup_file_is_private_whatever_the_umask(sqlite_url: str, tmp_path: Path) -> None:
    school_with_pupils(UAI, 2)
    old = os.umask(0)
    try:
        assert Cli(sqlite_url)("backup", str(tmp_path / "b.db")).code == 0
    finally:
        os.umask(old)
    assert mode(tmp_path / "b.db") == 0o600
