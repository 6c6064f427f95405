"""The CLI shows a progress bar on a terminal and nothing when its output is piped."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from tests.helpers import school_with_pupils
from tests.resilience_helpers import ROOT, run_cli


def test_progress_bar_on_a_terminal_only(sqlite_url: str) -> None:
    school_with_pupils("0392689L", 6)
    school_with_pupils("0750001U", 6, offset=100)
    piped = run_cli(sqlite_url, "accounts", "generate", "--school", "0392689L")
    assert piped.returncode == 0 and "Mots de passe" not in piped.stderr
    # stderr on a pseudo-terminal, as in an SSH session.
    leader, follower = pty.openpty()
    env = {**os.environ, "CYCLADES_PROVISIONAL_COST": "4"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cyclades_tui",
            "accounts",
            "generate",
            "--school",
            "0750001U",
            "--db",
            sqlite_url,
        ],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
        cwd=ROOT,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.communicate(timeout=60)
    os.close(leader)
    shown = b"".join(chunks).decode()
    assert proc.returncode == 0
    assert "Mots de passe : [" in shown and "6/6" in shown
