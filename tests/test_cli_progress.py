"""The CLI shows a progress bar on a terminal and nothing when its output is piped."""

from __future__ import annotations

import os

from tests.helpers import school_with_pupils
from tests.resilience_helpers import run_cli
from tests.terminal import Terminal, app_command


def stdout_off_the_terminal() -> None:
    """In the child: stdout elsewhere (as when piped), stderr left on the terminal."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)


def test_progress_bar_on_a_terminal_only(sqlite_url: str) -> None:
    school_with_pupils("0392689L", 6)
    school_with_pupils("0750001U", 6, offset=100)
    piped = run_cli(sqlite_url, "accounts", "generate", "--school", "0392689L")
    assert piped.returncode == 0 and "Mots de passe" not in piped.stderr
    # stderr on a pseudo-terminal, as in an SSH session.
    env = {**os.environ, "CYCLADES_PROVISIONAL_COST": "4"}
    command = app_command("accounts", "generate", "--school", "0750001U", "--db", sqlite_url)
    term = Terminal(command, env, preexec_fn=stdout_off_the_terminal)
    try:
        status = term.wait_exit(60)
        shown = term.text()
    finally:
        term.close()
    assert os.waitstatus_to_exitcode(status) == 0
    assert "Mots de passe : [" in shown and "6/6" in shown
