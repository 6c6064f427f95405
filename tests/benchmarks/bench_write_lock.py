"""Benchmark: the longest write transaction (the write lock other schools wait for) while one
school imports and generates N pupils.

    python tests/benchmarks/bench_write_lock.py --candidates 40000 [--db URL] [--json]

Every write transaction opened by the import and the generation is timed in-process (the
``write_transaction`` of the services is wrapped), and a probe thread, playing another
school, opens a write transaction of its own every 50 ms and records how long it waited.
Prints the import and generation wall times, the longest and total write-lock holds, and
the probe's longest wait.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import peewee

from cyclades_tui.domain.exams import State
from cyclades_tui.services import account_generation, import_chunks, import_core, schools
from cyclades_tui.services import db_session as runtime_module
from cyclades_tui.services.actor import operator
from cyclades_tui.services.db_session import connect
from cyclades_tui.services.demo import demo_records
from cyclades_tui.settings import Settings
from cyclades_tui.store.database import database_proxy
from cyclades_tui.store.models import School

BENCH_UAI, OTHER_UAI = "0750001U", "0392689L"
HOLDS: list[tuple[str, float]] = []
_original = runtime_module.write_transaction


def _timed(label: str) -> Any:
    @contextmanager
    def wrapper(db: peewee.Database) -> Iterator[Any]:
        with _original(db) as txn:
            start = time.perf_counter()  # the lock is held from here (BEGIN IMMEDIATE)
            try:
                yield txn
            finally:
                HOLDS.append((label, time.perf_counter() - start))

    return wrapper


def _probe(stop: threading.Event, waits: list[float]) -> None:
    """Another school's writer: a short transaction every 50 ms, its wait recorded."""
    db = database_proxy.obj  # the same Database: peewee gives each thread its connection
    db.connect(reuse_if_open=True)
    other = School.get(School.uai == OTHER_UAI)
    while not stop.is_set():
        start = time.perf_counter()
        with runtime_module.write_transaction(db):
            School.update(name=other.name).where(School.id == other.id).execute()
        waits.append(time.perf_counter() - start)
        stop.wait(0.05)
    db.close()


def main() -> None:
    """Run the import and generation of ``--candidates`` pupils and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--candidates", type=int, default=40_000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = Settings(provisional_cost=4)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        connect(url)
        actor = operator()
        for uai in (BENCH_UAI, OTHER_UAI):
            schools.add_school(actor, uai, f"École {uai}")
            schools.set_service(actor, uai, True)
        school = School.get(School.uai == BENCH_UAI)
        records = [replace(r, state=State.INSCRIT) for r in demo_records(args.candidates, 11)]
        import_chunks.write_transaction = _timed("import")  # type: ignore[assignment]
        account_generation.write_transaction = _timed("generate")  # type: ignore[assignment]
        stop, waits = threading.Event(), []  # type: ignore[var-annotated]
        probe = threading.Thread(target=_probe, args=(stop, waits))
        probe.start()
        start = time.perf_counter()
        import_core.store_records(
            actor, school, records, [], False, "bench", max_candidates=None, where=str
        )
        imported = time.perf_counter() - start
        start = time.perf_counter()
        result = account_generation.generate(actor, BENCH_UAI, settings=settings)
        generated = time.perf_counter() - start
        stop.set()
        probe.join()
    figures = {
        "candidates": args.candidates,
        "database": "postgresql" if args.db and args.db.startswith("postgres") else "sqlite",
        "accounts_created": result.created,
        "import_s": round(imported, 2),
        "generation_s": round(generated, 2),
        "longest_write_lock_s": {
            label: round(max(d for k, d in HOLDS if k == label), 3)
            for label in ("import", "generate")
        },
        "total_write_lock_s": round(sum(d for _, d in HOLDS), 3),
        "probe_writes": len(waits),
        "probe_longest_wait_s": round(max(waits), 3) if waits else None,
    }
    if args.json:
        print(json.dumps(figures))
        return
    for key, value in figures.items():
        print(f"{key:24} {value}")


if __name__ == "__main__":
    main()
