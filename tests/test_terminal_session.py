"""A session as over SSH: the TUI needs a terminal, hardens its process, and ends cleanly
when the terminal hangs up (dropped connection), even in the middle of a generation.

The TUI runs in a real process on a real pseudo-terminal (``pty.fork``: the terminal is
its controlling terminal, as with ``ssh -t``); closing the master side is what sshd does
when the connection drops.
"""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cyclades_tui.services.db_session import connect
from cyclades_tui.services.demo import seed_demo
from cyclades_tui.store.models import Account
from tests.helpers import FAST_SETTINGS, until
from tests.pty_terminal import TuiOnPty
from tests.resilience_helpers import (
    ROOT,
    check_every_account_has_its_slip,
    eligible_count,
    run_cli,
)


@pytest.fixture
def sessions() -> Iterator[list[TuiOnPty]]:
    """The TUI processes a test starts; none survives the test."""
    started: list[TuiOnPty] = []
    yield started
    for session in started:
        session.kill()


def tui_env(cost: int = 4, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CYCLADES_")}
    return {
        **env,
        "TERM": "xterm-256color",
        "CYCLADES_CONFIG": os.devnull,
        "CYCLADES_PROVISIONAL_COST": str(cost),
        "CYCLADES_CHOSEN_COST": "4",
        **extra,
    }


def processes_using(marker: str) -> list[int]:
    """PIDs of the processes whose command line mentions ``marker`` (our database)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline:
                found.append(int(entry.name))
    return found


def demo_database(url: str) -> int:
    """The demo school in ``url``, as ``--demo`` makes it; returns how many are eligible."""
    connect(url)
    seed_demo(settings=FAST_SETTINGS)
    return eligible_count()


# --- no terminal ----------------------------------------------------------------------


@pytest.mark.parametrize("args", [[], ["--demo"]])
def test_without_a_terminal_the_tui_refuses_at_once(tmp_path: Path, args: list[str]) -> None:
    env = {**tui_env(), "XDG_DATA_HOME": str(tmp_path / "data")}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "cyclades_tui", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "terminal interactif" in done.stderr and "ssh -t" in done.stderr
    assert done.stdout == ""
    assert time.monotonic() - started < 30
    assert not (tmp_path / "data").exists()  # no database created, nothing seeded


def test_a_terminal_on_one_side_only_is_not_enough(tmp_path: Path) -> None:
    env = {**tui_env(), "XDG_DATA_HOME": str(tmp_path / "data")}
    leader, follower = pty.openpty()
    try:
        for stdin, stdout in [(follower, subprocess.PIPE), (subprocess.PIPE, follower)]:
            proc = subprocess.Popen(
                [sys.executable, "-m", "cyclades_tui"],
                cwd=ROOT,
                env=env,
                stdin=stdin,
                stdout=stdout,
                stderr=subprocess.PIPE,
            )
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 2 and b"ssh -t" in err
    finally:
        os.close(leader)
        os.close(follower)


# --- with a terminal ------------------------------------------------------------------


def test_on_a_terminal_it_starts_hardened(sqlite_url: str, sessions: list[TuiOnPty]) -> None:
    demo_database(sqlite_url)
    tui = TuiOnPty(["--demo", "--db", sqlite_url], tui_env())
    sessions.append(tui)
    assert tui.shows("Générer les comptes"), tui.screen_text()[-2000:]
    status = Path(f"/proc/{tui.pid}/status").read_text()
    assert re.search(r"^Umask:\s+0077$", status, re.M), status
    limits = Path(f"/proc/{tui.pid}/limits").read_text()
    assert re.search(r"^Max core file size\s+0\s+0\s", limits, re.M), limits
    tui.press("\x11")  # ctrl+q
    assert tui.exited(30)
    assert os.WIFEXITED(tui.status or 0) and os.WEXITSTATUS(tui.status or 0) == 0


def test_every_command_is_hardened(sqlite_url: str) -> None:
    # `accounts verify` waits for the password on stdin: time to look at the process.
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cyclades_tui",
            "accounts",
            "verify",
            "personne",
            "--db",
            sqlite_url,
        ],
        cwd=ROOT,
        env=tui_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        status_file = Path(f"/proc/{proc.pid}/status")
        assert until(lambda: "Umask:\t0077" in status_file.read_text()), status_file.read_text()
        limits = Path(f"/proc/{proc.pid}/limits").read_text()
        assert re.search(r"^Max core file size\s+0\s+0\s", limits, re.M), limits
    finally:
        proc.communicate(b"faux\n", timeout=60)
    assert proc.returncode == 1


def test_a_bad_setting_stops_the_tui_at_start(sqlite_url: str, sessions: list[TuiOnPty]) -> None:
    tui = TuiOnPty(["--db", sqlite_url], tui_env(CYCLADES_WORKERS="deux"))
    sessions.append(tui)
    assert tui.exited(60)
    assert os.WIFEXITED(tui.status or 0) and os.WEXITSTATUS(tui.status or 0) == 2
    assert "Réglage workers invalide (environnement CYCLADES_WORKERS)" in tui.screen_text()


# --- hang-up --------------------------------------------------------------------------


def assert_ended_by_hangup(tui: TuiOnPty, marker: str) -> None:
    assert tui.exited(15), "la session a survécu à la déconnexion"
    assert os.WIFSIGNALED(tui.status or 0) and os.WTERMSIG(tui.status or 0) == signal.SIGHUP
    assert processes_using(marker) == []


def test_hang_up_while_hashing_leaves_nothing(sqlite_url: str, sessions: list[TuiOnPty]) -> None:
    eligible = demo_database(sqlite_url)
    # Cost 12 on one thread: hashing lasts long enough to cut the line in the middle of it.
    tui = TuiOnPty(["--demo", "--db", sqlite_url], tui_env(cost=12, CYCLADES_WORKERS="1"))
    sessions.append(tui)
    assert tui.shows("Générer les comptes")
    tui.press("g")
    assert tui.shows("sans compte")
    tui.press("\x07")  # ctrl+g: Générer
    assert tui.shows("hachage des mots de passe"), tui.screen_text()[-2000:]
    tui.hang_up()
    assert_ended_by_hangup(tui, sqlite_url)
    connect(sqlite_url)
    assert Account.select().count() == 0
    # Nothing is locked or half-written: the work can be done again at once.
    done = run_cli(sqlite_url, "accounts", "generate", "--school", demo_uai())
    assert done.returncode == 0, done.stderr
    assert check_every_account_has_its_slip() == eligible


def demo_uai() -> str:
    from cyclades_tui.services.demo import DEMO_UAI

    return DEMO_UAI


def test_hang_up_inside_the_write_transaction_rolls_it_back(
    db_url: str, tmp_path: Path, sessions: list[TuiOnPty]
) -> None:
    eligible = demo_database(db_url)
    mark = tmp_path / "in-transaction"
    env = tui_env(CYCLADES_FAULT="hold:generate.before-commit", CYCLADES_FAULT_MARK=str(mark))
    # SIGHUP ignored by the parent (nohup, some wrappers): the app must still end.
    tui = TuiOnPty(["--demo", "--db", db_url], env, ignore_hangup=True)
    sessions.append(tui)
    assert tui.shows("Générer les comptes")
    tui.press("g")
    assert tui.shows("sans compte")
    tui.press("\x07")  # ctrl+g: Générer
    # Accounts and documents are written, the transaction not yet committed.
    assert until(mark.exists), tui.screen_text()[-2000:]
    tui.hang_up()
    assert_ended_by_hangup(tui, db_url)
    connect(db_url)
    assert Account.select().count() == 0
    assert check_every_account_has_its_slip() == 0
    # The write lock went with the process: a new generation goes through at once.
    done = run_cli(
        db_url,
        "accounts",
        "generate",
        "--school",
        demo_uai(),
        env={"CYCLADES_SQLITE_BUSY_MS": "2000"},
    )
    assert done.returncode == 0, done.stderr
    assert check_every_account_has_its_slip() == eligible
