"""Benchmark: bytes the TUI writes to its terminal (what an SSH link carries).

    python tests/benchmarks/bench_wire.py [--candidates 300] [--size 80x24] [--json]

Runs the real `cyclades-tui --demo` on a pseudo-terminal (TERM=xterm-256color), its output
read by a terminal emulator, on a fresh SQLite demo school with generated accounts and 11
documents, and counts the bytes written for: start-up to the first screen; one filter
keystroke in « Mes candidats »; one page of documents (`n`); 10 s idle on each of those
screens. Targets (issue 12): idle 0 bytes; keystroke <= 4 KB; page <= 4 KB.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cyclades_tui.settings import load_settings  # noqa: E402
from tests.terminal import ESC, Terminal  # noqa: E402

QUIET_S = 0.6  # no byte for this long: the screen is drawn


def settle_bytes(term: Terminal, before: int) -> int:
    """Bytes written since ``before`` once the app has gone quiet."""
    term.wait_quiet(QUIET_S)
    return term.written - before


def idle_bytes(term: Terminal, seconds: float) -> int:
    """Bytes written during ``seconds`` of no input (a blinking cursor would show here)."""
    before = term.written
    time.sleep(seconds)  # measuring an idle period, not synchronising
    return term.written - before


PAGE_DOWN = b"\x1b[6~"


def measure(db_url: str, columns: int, rows: int, idle_s: float) -> dict[str, object]:
    """Start the app on a pty and count bytes for each interaction."""
    figures: dict[str, object] = {"size": f"{columns}x{rows}"}
    start = time.monotonic()
    term = Terminal.app(["--demo", "--db", db_url], size=(columns, rows))
    try:
        term.wait_for("Mon établissement", timeout=30)
        figures["first_screen_s"] = round(time.monotonic() - start, 3)
        figures["startup_bytes"] = settle_bytes(term, 0)
        figures["idle_home_bytes"] = idle_bytes(term, idle_s)

        before = term.written
        term.write(b"c")
        term.wait_for("candidature(s)")
        figures["open_candidates_bytes"] = settle_bytes(term, before)
        keystrokes = []
        for key in b"mar":
            before = term.written
            term.write(bytes([key]))
            keystrokes.append(settle_bytes(term, before))
        figures["filter_keystroke_bytes"] = max(keystrokes)
        figures["filter_keystroke_mean_bytes"] = round(sum(keystrokes) / len(keystrokes))
        figures["idle_candidates_bytes"] = idle_bytes(term, idle_s)

        term.write(ESC)
        term.wait_quiet(QUIET_S)
        before = term.written
        term.write(b"d")
        term.wait_for("Affichage de l'élément 1 à 10")
        figures["open_documents_bytes"] = settle_bytes(term, before)
        before = term.written
        term.write(PAGE_DOWN)  # PgSuiv: a letter now filters the list (issue 16)
        term.wait_for("Affichage de l'élément 11 à")
        figures["documents_page_bytes"] = settle_bytes(term, before)
        figures["idle_documents_bytes"] = idle_bytes(term, idle_s)
    finally:
        term.close()
    return figures


def prepare(db_url: str, candidates: int) -> None:
    """A demo school with accounts and 11 documents (two pages)."""
    from cyclades_tui.services import account_generation, account_regeneration
    from cyclades_tui.services.actor import operator
    from cyclades_tui.services.candidates import list_candidates
    from cyclades_tui.services.db_session import connect
    from cyclades_tui.services.demo import DEMO_UAI, seed_demo

    db = connect(db_url)
    seed_demo(candidates, seed=5, settings=load_settings())
    account_generation.generate(operator(), DEMO_UAI, settings=load_settings())
    ine = next(v.ine for v in list_candidates(operator(), DEMO_UAI) if v.login)
    for _ in range(9):
        account_regeneration.regenerate(operator(), DEMO_UAI, ine, settings=load_settings())
    db.close()


def main() -> int:
    """Seed, measure, print."""
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--size", default="80x24")
    parser.add_argument("--idle", type=float, default=10.0, help="secondes d'inactivité")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    columns, rows = (int(x) for x in args.size.split("x"))
    os.environ.setdefault("CYCLADES_PROVISIONAL_COST", "4")  # hashing is not measured here
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench-wire.db'}"
        prepare(url, args.candidates)
        figures = measure(url, columns, rows, args.idle)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:32} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
