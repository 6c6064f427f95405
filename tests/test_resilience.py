"""Nothing lost, nobody locked out: concurrency, crashes, locks and lost connections.

Each test provokes the fault for real (separate processes, SIGKILL, a held lock, a
connection cut by the server) and checks the promise on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import threading
from pathlib import Path

import peewee
import pytest

from cyclades_tui.domain import passwords
from cyclades_tui.services import (
    account_generation,
    account_regeneration,
    accounts,
    documents,
    slip_documents,
)
from cyclades_tui.services.actor import operator
from cyclades_tui.services.errors import DatabaseUnavailable
from cyclades_tui.store.models import Account, Candidate, Document
from tests.helpers import FAST_SETTINGS, bea, school_with_pupils
from tests.resilience_helpers import (
    check_every_account_has_its_slip,
    cli_process,
    eligible_count,
    run_cli,
)

UAI = "0392689L"
OTHERS = ["0750001U", "0690001B"]


def test_two_generations_of_one_school_at_once(db_url: str) -> None:
    school_with_pupils(UAI, 40)
    # Cost 7 makes hashing long enough (40 x ~8 ms / 2 threads) for the runs to overlap.
    procs = [
        cli_process(db_url, "accounts", "generate", "--school", UAI, "--json", cost=7)
        for _ in range(2)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert not any("Traceback" in err for _, err in results)
    created = sorted(json.loads(out)["created"] for out, _ in results)
    assert created == [0, 40]
    assert check_every_account_has_its_slip() == eligible_count() == 40
    assert Account.select(Account.candidate).distinct().count() == 40
    # The one that had nothing left to do says so (in plain output too).
    again = run_cli(db_url, "accounts", "generate", "--school", UAI)
    assert "Tous les comptes de vos candidats ont été générés." in again.stdout


def test_many_schools_with_the_same_names_at_once(db_url: str) -> None:
    for index, uai in enumerate([UAI, *OTHERS]):
        school_with_pupils(uai, 12, offset=1000 * index, homonyms=4)
    procs = [
        cli_process(db_url, "accounts", "generate", "--school", uai, "--json", cost=6)
        for uai in [UAI, *OTHERS]
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    assert [json.loads(out)["created"] for out, _ in results] == [12, 12, 12]
    logins = [a.login for a in Account.select()]
    assert len(logins) == len(set(logins)) == 36
    aubins = {login for login in logins if login.startswith("antoine.aubin")}
    assert aubins == {"antoine.aubin"} | {f"antoine.aubin{n}" for n in range(2, 13)}
    assert check_every_account_has_its_slip() == 36


def test_hashing_holds_no_lock(sqlite_url: str) -> None:
    """While another writer holds the database, a generation still hashes all its passwords."""
    school_with_pupils(UAI, 10)
    path = sqlite_url.removeprefix("sqlite:///")
    blocker = sqlite3.connect(path, timeout=30, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    hashed_all = threading.Event()
    outcome: list[object] = []

    def progress(done: int, total: int) -> None:
        if done == total:
            hashed_all.set()

    def run() -> None:
        try:
            outcome.append(
                account_generation.generate(
                    operator(), UAI, progress=progress, settings=FAST_SETTINGS
                )
            )
        except Exception as error:  # reported by the assertion below
            outcome.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    try:
        # Every hash is done although the write lock is still taken by someone else.
        assert hashed_all.wait(timeout=60)
        assert Account.select().count() == 0
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    worker.join(timeout=60)
    assert isinstance(outcome[0], slip_documents.RunResult) and outcome[0].created == 10


@pytest.mark.parametrize(
    "point", ["generate.hashing", "generate.accounts-written", "generate.before-commit"]
)
def test_sigkill_inside_a_generation_leaves_nothing_half_done(db_url: str, point: str) -> None:
    school_with_pupils(UAI, 30)
    killed = run_cli(db_url, "accounts", "generate", "--school", UAI, env={"CYCLADES_FAULT": point})
    assert killed.returncode == -signal.SIGKILL
    # As if it had not started.
    assert Account.select().count() == 0 and Document.select().count() == 0
    check_every_account_has_its_slip()
    finished = run_cli(db_url, "accounts", "generate", "--school", UAI, "--json")
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["created"] == 30
    assert check_every_account_has_its_slip() == 30


def test_sigkill_at_random_moments(db_url: str) -> None:
    school_with_pupils(UAI, 60)
    rng = random.Random(20261129)
    for _ in range(4):
        proc = cli_process(db_url, "accounts", "generate", "--school", UAI, cost=8)
        try:
            proc.wait(timeout=rng.uniform(0.3, 2.5))
        except subprocess.TimeoutExpired:  # still running: the moment to kill it
            proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        created = Account.select().count()
        assert created in (0, 60)  # nothing, or everything: never half
        check_every_account_has_its_slip(verify_passwords=False)
        if created:
            break
    finished = run_cli(db_url, "accounts", "generate", "--school", UAI, cost=4)
    assert finished.returncode == 0, finished.stderr
    assert check_every_account_has_its_slip() == 60


def test_two_regenerations_at_once(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    school_with_pupils(UAI, 3)
    account_generation.generate(operator(), UAI, settings=FAST_SETTINGS)
    ine = bea(0)
    # Both regenerations hash before either writes: a barrier inside the (real) hashing.
    barrier = threading.Barrier(2, timeout=30)
    real_hash = passwords.hash_password

    def hash_then_wait(password: str, cost: int) -> str:
        hashed = real_hash(password, cost)
        barrier.wait()
        return hashed

    monkeypatch.setattr("cyclades_tui.services.account_regeneration.hash_password", hash_then_wait)
    results: list[object] = []

    def regenerate() -> None:
        try:
            results.append(
                account_regeneration.regenerate(operator(), UAI, ine, settings=FAST_SETTINGS)
            )
        except Exception as error:  # checked below
            results.append(error)

    threads = [threading.Thread(target=regenerate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(r, slip_documents.RunResult) for r in results), results
    slips = []
    for result in results:
        assert isinstance(result, slip_documents.RunResult)
        (preview,) = documents.preview(operator(), result.documents[0].id)
        slips.append(preview)
    current = [s for s in slips if s.current]
    replaced = [s for s in slips if not s.current]
    assert len(current) == 1 and len(replaced) == 1
    assert accounts.verify(current[0].login, current[0].password, settings=FAST_SETTINGS).ok
    assert not accounts.verify(replaced[0].login, replaced[0].password, settings=FAST_SETTINGS).ok
    check_every_account_has_its_slip()


def test_locked_sqlite_waits_then_says_so(sqlite_url: str) -> None:
    school_with_pupils(UAI, 2)
    path = sqlite_url.removeprefix("sqlite:///")
    blocker = sqlite3.connect(path, timeout=30, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        result = run_cli(
            sqlite_url, "school", "service", UAI, "off", env={"CYCLADES_SQLITE_BUSY_MS": "300"}
        )
        generation = run_cli(
            sqlite_url,
            "accounts",
            "generate",
            "--school",
            UAI,
            env={"CYCLADES_SQLITE_BUSY_MS": "300"},
        )
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    for done in (result, generation):
        assert done.returncode == 1
        assert "occupée par un autre traitement" in done.stderr
        assert "Traceback" not in done.stderr + done.stdout
    assert Account.select().count() == 0
    assert run_cli(sqlite_url, "accounts", "generate", "--school", UAI).returncode == 0


@pytest.mark.postgres
def test_lost_postgresql_connection_recovers(pg_url: str) -> None:
    school_with_pupils(UAI, 2)
    db = Candidate._meta.database
    pid = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    admin = peewee.PostgresqlDatabase("test", user="postgres", host="127.0.0.1", port=5432)
    admin.execute_sql("SELECT pg_terminate_backend(%s)", (pid,))
    admin.close()
    with pytest.raises(DatabaseUnavailable, match="connexion a été perdue"):
        account_generation.status(operator(), UAI)
    # The server is there again: the next call reconnects by itself.
    assert account_generation.status(operator(), UAI).eligible == 2
    assert account_generation.generate(operator(), UAI, settings=FAST_SETTINGS).created == 2


def test_unreachable_database_gives_a_clear_message(tmp_path: Path) -> None:
    done = run_cli("postgresql://postgres@127.0.0.1:1/test", "school", "list")
    assert done.returncode == 1
    assert "injoignable" in done.stderr and "Traceback" not in done.stderr
    unwritable = run_cli(
        f"sqlite:///{tmp_path}/absent/dir/x.db", "init", env={"HOME": str(tmp_path)}
    )
    assert unwritable.returncode in (0, 1) and "Traceback" not in unwritable.stderr
