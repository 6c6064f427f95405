"""A session as over SSH: the TUI needs a terminal, hardens its process, and ends cleanly
when the terminal hangs up (dropped connection), even in the middle of a generation.

The TUI runs in a real process on a real pseudo-terminal (tests/terminal.py: the terminal
is its controlling terminal, as with ``ssh -t``); closing the master side is what sshd does
when the connection drops.
"""

from __future__ import annotations

import os
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
from tests.helpers import FAST_SETTINGS, wait_until
from tests.resilience_helpers import (
    ROOT,
    check_every_account_has_its_slip,
    eligible_count,
    run_cli,
)
from tests.terminal import CTRL_G, CTRL_Q, Terminal, app_command


@pytest.fixture
def sessions() -> Iterator[list[Terminal]]:
    """The TUI processes a test starts; none survives the test."""
    started: list[Terminal] = []
    yield started
    for session in started:
        session.close()


def start(
    sessions: list[Terminal], args: list[str], env: dict[str, str], **options: bool
) -> Terminal:
    """`cyclades-tui ARGS` on a 100x30 terminal, with ``env`` as its whole environment."""
    tui = Terminal.app(args, env, size=(100, 30), inherit=False, **options)
    sessions.append(tui)
    return tui


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
    # One of stdin and stdout taken off the terminal (the child's own, before it starts);
    # the refusal goes to stderr, on the terminal, as wide as the message.
    for stream, mode in [(0, os.O_RDONLY), (1, os.O_WRONLY)]:
        term = Terminal(
            app_command(),
            env,
            size=(300, 24),
            preexec_fn=lambda stream=stream, mode=mode: os.dup2(os.open(os.devnull, mode), stream),
        )
        try:
            assert os.waitstatus_to_exitcode(term.wait_exit(60)) == 2
            assert "ssh -t" in term.text()
        finally:
            term.close()


# --- with a terminal ------------------------------------------------------------------


def test_on_a_terminal_it_starts_hardened(sqlite_url: str, sessions: list[Terminal]) -> None:
    demo_database(sqlite_url)
    tui = start(sessions, ["--demo", "--db", sqlite_url], tui_env())
    tui.wait_for("Générer les comptes", 60)
    status = Path(f"/proc/{tui.pid}/status").read_text()
    assert re.search(r"^Umask:\s+0077$", status, re.M), status
    limits = Path(f"/proc/{tui.pid}/limits").read_text()
    assert re.search(r"^Max core file size\s+0\s+0\s", limits, re.M), limits
    tui.write(CTRL_Q)
    tui.wait_exit(30)
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
        wait_until(lambda: "Umask:\t0077" in status_file.read_text(), 60, status_file.read_text)
        limits = Path(f"/proc/{proc.pid}/limits").read_text()
        assert re.search(r"^Max core file size\s+0\s+0\s", limits, re.M), limits
    finally:
        proc.communicate(b"faux\n", timeout=60)
    assert proc.returncode == 1


def test_a_bad_setting_stops_the_tui_at_start(sqlite_url: str, sessions: list[Terminal]) -> None:
    tui = start(sessions, ["--db", sqlite_url], tui_env(CYCLADES_WORKERS="deux"))
    tui.wait_exit(60)
    assert os.WIFEXITED(tui.status or 0) and os.WEXITSTATUS(tui.status or 0) == 2
    assert "Réglage workers invalide (environnement CYCLADES_WORKERS)" in tui.text()


# --- hang-up --------------------------------------------------------------------------


def assert_ended_by_hangup(tui: Terminal, marker: str) -> None:
    tui.wait_exit(15)  # else the session survived the dropped connection
    assert os.WIFSIGNALED(tui.status or 0) and os.WTERMSIG(tui.status or 0) == signal.SIGHUP
    assert processes_using(marker) == []


def test_hang_up_while_hashing_leaves_nothing(sqlite_url: str, sessions: list[Terminal]) -> None:
    eligible = demo_database(sqlite_url)
    # Cost 12 on one thread: hashing lasts long enough to cut the line in the middle of it.
    tui = start(sessions, ["--demo", "--db", sqlite_url], tui_env(cost=12, CYCLADES_WORKERS="1"))
    tui.wait_for("Générer les comptes", 60)
    tui.write(b"g")
    tui.wait_for("sans compte", 60)
    tui.write(CTRL_G)  # Générer
    tui.wait_for("hachage des mots de passe", 60)
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
    db_url: str, tmp_path: Path, sessions: list[Terminal]
) -> None:
    eligible = demo_database(db_url)
    mark = tmp_path / "in-transaction"
    env = tui_env(CYCLADES_FAULT="hold:generate.before-commit", CYCLADES_FAULT_MARK=str(mark))
    # SIGHUP ignored by the parent (nohup, some wrappers): the app must still end.
    tui = start(sessions, ["--demo", "--db", db_url], env, ignore_hangup=True)
    tui.wait_for("Générer les comptes", 60)
    tui.write(b"g")
    tui.wait_for("sans compte", 60)
    tui.write(CTRL_G)  # Générer
    # Accounts and documents are written, the transaction not yet committed.
    wait_until(tui.reading(mark.exists), 60, tui.text)
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
