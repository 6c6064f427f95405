"""The command line speaks French even when it refuses: argparse's own messages, a bad
database URL, and the refusal without a terminal."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.resilience_helpers import ROOT

# Words of argparse's and urllib's English messages; none may reach the user.
ENGLISH = re.compile(
    r"\b(usage|choose|invalid|expected|required|"
    r"unrecognized|could|cast|value|error|Port|show|help message|exit|"
    r"positional)\b"
)


def cyclades(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cyclades_tui", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT), **(env or {})},
    )


@pytest.mark.parametrize(
    "args",
    [
        ["accounts", "regenerate", "--school", "0392689L", "--ine", "x", "--state", "foo"],
        ["school", "service", "0392689L", "peut-etre"],
        ["demo", "--candidates", "x"],
        ["documents", "export", "x", "y"],
        ["accounts", "status"],
        ["accounts", "status", "--school"],
        ["accounts", "status", "--school", "0392689L", "--inconnu"],
        ["import", "--division"],
        ["inconnue"],
        ["school"],
    ],
)
def test_usage_errors_are_in_french(args: list[str]) -> None:
    done = cyclades(*args)
    assert done.returncode == 2
    assert "Erreur d'utilisation : " in done.stderr and "Utilisation : " in done.stderr
    assert not ENGLISH.search(done.stderr), done.stderr


def test_help_is_in_french() -> None:
    for args in (["--help"], ["accounts", "generate", "-h"]):
        done = cyclades(*args)
        assert done.returncode == 0
        assert "afficher cette aide et quitter" in done.stdout
        assert not ENGLISH.search(done.stdout.replace("--help", "")), done.stdout
        assert "positional" not in done.stdout


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:motdepasse@h:badport/db",
        "postgresql://u:motdepasse@h:99999/db",
        "postgresql://u:motdepasse@[::1/db",
        "mysql://u:motdepasse@h/db",
    ],
)
def test_a_bad_database_url_is_refused_in_french_without_its_password(url: str) -> None:
    for done in (cyclades("config", env={"CYCLADES_DB": url}), cyclades("config", "--db", url)):
        assert done.returncode == 2
        assert done.stderr.startswith("Réglage db invalide"), done.stderr
        assert "motdepasse" not in done.stderr + done.stdout
        assert not ENGLISH.search(done.stderr), done.stderr
        assert ".." not in done.stderr.replace("…", "")


def test_without_a_terminal_it_only_says_to_use_ssh_t() -> None:
    done = cyclades()
    assert done.returncode == 2
    assert "terminal interactif" in done.stderr and "ssh -t" in done.stderr
    # Over SSH (ForceCommand), staff cannot run subcommands: do not send them there.
    assert "sous-commande" not in done.stderr


def test_docs_cli_names_every_command() -> None:
    """docs/cli.md is the scripts' contract: every subcommand is in its table."""
    import argparse

    from cyclades_tui.cli import build_parser

    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    (top,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    missing = []
    for name, sub in top.choices.items():
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        names = [f"{name} {action}" for action in nested[0].choices] if nested else [name]
        missing += [n for n in names if f"`{n}" not in doc and f"· `{n}" not in doc]
    assert missing == []
    assert "`audit [--school UAI]" in doc and "CYCLADES_CONFIG" in doc
