"""Each process caps its own memory (memory_limit_mb), and running out is said in French.

The child processes run the real console entry point (``cli.entry``: hardening, settings,
then the command) with a small cap; the command is swapped for one that allocates far more,
as a hostile file would make it do. Without the cap the allocation would succeed (the machine
has the memory) and the process would exit 0.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cyclades_tui.services.memory import OUT_OF_MEMORY
from cyclades_tui.ui.app import CycladesApp, OutOfMemory
from tests.helpers import FAST_SETTINGS
from tests.resilience_helpers import ROOT, cli_env

GREEDY = """
import sys
from cyclades_tui import cli
def greedy(args, settings):
    kept = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GB, touched
    return len(kept)
cli.dispatch = greedy
sys.argv = ["cyclades-tui", "school", "list", "--db", sys.argv[1]]
raise SystemExit(cli.entry())
"""
LIMITS = """
import resource, sys
from cyclades_tui import cli
cli.dispatch = lambda args, settings: print(resource.getrlimit(resource.RLIMIT_AS)[0]) or 0
sys.argv = ["cyclades-tui", "school", "list", "--db", sys.argv[1]]
raise SystemExit(cli.entry())
"""


def child(script: str, url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script, url],
        capture_output=True,
        text=True,
        env=cli_env(4, env),
        cwd=ROOT,
        timeout=120,
    )


def test_running_out_of_memory_is_said_in_french(sqlite_url: str) -> None:
    done = child(GREEDY, sqlite_url, CYCLADES_MEMORY_LIMIT_MB="256")
    assert done.returncode == 1
    assert OUT_OF_MEMORY in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "MemoryError" not in done.stderr


def test_the_cap_is_the_setting(sqlite_url: str) -> None:
    default = child(LIMITS, sqlite_url)
    assert default.returncode == 0, default.stderr
    assert int(default.stdout) == 1024 * 1024 * 1024
    set_low = child(LIMITS, sqlite_url, CYCLADES_MEMORY_LIMIT_MB="300")
    assert int(set_low.stdout) == 300 * 1024 * 1024
    refused = child(LIMITS, sqlite_url, CYCLADES_MEMORY_LIMIT_MB="12")
    assert refused.returncode == 2 and "memory_limit_mb" in refused.stderr.lower()


async def test_the_tui_ends_on_the_french_message(tmp_path: Path) -> None:
    app = CycladesApp(db_url=f"sqlite:///{tmp_path / 'x.db'}", settings=FAST_SETTINGS)

    def greedy() -> None:
        raise MemoryError

    with pytest.raises(OutOfMemory, match="Mémoire épuisée"):
        async with app.run_test(size=(80, 24)) as pilot:
            app.call_later(greedy)
            await pilot.pause()
    assert app.return_code == 1
    assert OutOfMemory(OUT_OF_MEMORY).__rich__() == OUT_OF_MEMORY


def test_many_hashing_threads_start_under_the_cap(sqlite_url: str, tmp_path: Path) -> None:
    # One thread a processor on a big server: each must fit in the 1 GB cap (glibc would
    # reserve a 64 MB arena and an 8 MB stack for each).
    env = {**cli_env(4, {"CYCLADES_WORKERS": "64"})}
    assert (
        subprocess.run(
            [sys.executable, "-m", "cyclades_tui", "demo", "--db", sqlite_url],
            env=env,
            cwd=ROOT,
            capture_output=True,
            timeout=300,
        ).returncode
        == 0
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cyclades_tui",
            "accounts",
            "generate",
            "--school",
            "0999999F",
            "--out",
            str(tmp_path),
            "--db",
            sqlite_url,
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "compte(s) créé(s)" in done.stdout
