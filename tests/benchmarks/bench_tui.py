"""Benchmark: TUI start to first paint, « Mes candidats » and « Générer » with 5,000 pupils.

    python tests/benchmarks/bench_tui.py [--candidates 5000] [--json]

Runs the real app headless (Textual's pilot) on a fresh SQLite demo school and times:
start to the first paint of the home screen; opening « Mes candidats » until its table is
filled; one filter keystroke until the table is refilled (mean over several keystrokes);
opening « Générer » until its list of pupils without an account is filled (the same table
widget as « Mes candidats »: issue 19 asks that both open as fast); the preview of a
document holding one slip per pupil, opened then with its passwords shown (ctrl+a): the
slips are given to the screen as the documents list hands them over, without the PDF.
"""

# ruff: noqa: E402 - the clock starts before the imports, which count in « first paint ».
from __future__ import annotations

import time
from typing import Any

PROCESS_START = time.perf_counter()

import argparse
import asyncio
import json
import statistics
import tempfile
from datetime import datetime
from pathlib import Path

from cyclades_tui.services.db_session import connect
from cyclades_tui.services.demo import DEMO_STAFF, seed_demo
from cyclades_tui.services.documents import DocumentSummary, SlipPreview
from cyclades_tui.services.staff_login import actor_for
from cyclades_tui.settings import load_settings
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.screens.candidates import CandidatesScreen
from cyclades_tui.ui.screens.generate import GenerateScreen
from cyclades_tui.ui.screens.home import HomeScreen
from cyclades_tui.ui.screens.preview import PreviewScreen
from cyclades_tui.ui.widgets.virtual_table import VirtualTable

IMPORT_SECONDS = time.perf_counter() - PROCESS_START


async def measure(count: int) -> dict[str, object]:
    """Time the three interactions on a demo school of ``count`` candidates."""
    figures: dict[str, object] = {"candidates": count}
    start = time.perf_counter()
    app = CycladesApp(db_url=None, demo_actor=actor_for(DEMO_STAFF), settings=load_settings())
    async with app.run_test(size=(120, 40)) as pilot:
        while not isinstance(app.screen, HomeScreen) or not app.screen.is_mounted:
            await pilot.pause()
        await pilot.pause()
        # Imports (measured at start-up) plus app start to the home screen painted.
        figures["first_paint_s"] = round(IMPORT_SECONDS + time.perf_counter() - start, 3)
        figures["imports_s"] = round(IMPORT_SECONDS, 3)

        start = time.perf_counter()
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CandidatesScreen)
        table = app.screen.query_one("#candidates", VirtualTable)
        figures["open_candidates_s"] = round(time.perf_counter() - start, 3)
        figures["rows"] = table.row_count

        # The pilot itself waits for the app to go idle after each key: a key that changes
        # nothing (cursor left/right in the filter) gives that harness floor.
        noop = []
        for key in ("left", "right") * 3:
            start = time.perf_counter()
            await pilot.press(key)
            noop.append(time.perf_counter() - start)
        timings, cpu = [], []
        for key in "martin":
            start, start_cpu = time.perf_counter(), time.process_time()
            await pilot.press(key)
            timings.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        figures["harness_noop_key_s"] = round(statistics.mean(noop), 4)
        figures["filter_keystroke_mean_s"] = round(statistics.mean(timings), 4)
        figures["filter_keystroke_max_s"] = round(max(timings), 4)
        figures["filter_keystroke_cpu_s"] = round(statistics.mean(cpu), 4)
        figures["rows_after_filter"] = table.row_count

        await pilot.press("escape")
        while not isinstance(app.screen, HomeScreen):
            await pilot.pause()
        start = time.perf_counter()
        await pilot.press("g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, GenerateScreen)
        figures["open_generate_s"] = round(time.perf_counter() - start, 3)
        figures["generate_rows"] = app.screen.query_one("#pending", VirtualTable).row_count
        await preview(app, pilot, count, figures)
    return figures


async def preview(app: CycladesApp, pilot: Any, count: int, figures: dict[str, object]) -> None:
    """Open the preview of a document of ``count`` slips, then show its passwords."""
    document = DocumentSummary(
        id=1,
        title="Papillons de connexion",
        layout=1,
        slips=count,
        size=1,
        type="PDF",
        created_at=datetime(2026, 1, 1),
        created_by=DEMO_STAFF,
    )
    slips = [
        SlipPreview(f"eleve.{i}", f"Secret-{i}", True, f"Nom{i} Prénom", "3A", f"{i:010d}A")
        for i in range(count)
    ]
    start = time.perf_counter()
    await app.push_screen(PreviewScreen(app.context(), document, slips))
    await pilot.pause()
    figures["open_preview_s"] = round(time.perf_counter() - start, 3)
    figures["preview_rows"] = app.screen.query_one("#slips", VirtualTable).row_count
    start = time.perf_counter()
    await pilot.press("ctrl+a")
    await pilot.pause()
    figures["reveal_passwords_s"] = round(time.perf_counter() - start, 3)
    shown = app.screen.query_one("#slips", VirtualTable).rows[0][1]
    assert shown == "Secret-0", "ctrl+a did not show the passwords"


def main() -> int:
    """Seed, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=5000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        connect(f"sqlite:///{Path(tmp) / 'bench-tui.db'}")
        seed_demo(args.candidates, seed=5, settings=load_settings())
        figures = asyncio.run(measure(args.candidates))
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(
            f"Premier affichage de l'accueil : {figures['first_paint_s']} s "
            f"(dont imports : {figures['imports_s']} s)"
        )
        print(
            f"Ouverture de « Mes candidats » ({figures['rows']} lignes) : "
            f"{figures['open_candidates_s']} s"
        )
        print(
            f"Ouverture de « Générer » ({figures['generate_rows']} élèves sans compte) : "
            f"{figures['open_generate_s']} s"
        )
        print(
            f"Filtrage, par frappe : {figures['filter_keystroke_mean_s']} s en moyenne, "
            f"{figures['filter_keystroke_max_s']} s au plus "
            f"({figures['rows_after_filter']} lignes restantes)"
        )
        print(
            f"  dont attente du banc (frappe sans effet) : {figures['harness_noop_key_s']} s ;"
            f" temps CPU de l'application : {figures['filter_keystroke_cpu_s']} s"
        )
        print(
            f"Aperçu d'un document de {figures['preview_rows']} papillons : ouverture "
            f"{figures['open_preview_s']} s, mots de passe affichés (ctrl+a) "
            f"{figures['reveal_passwords_s']} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
