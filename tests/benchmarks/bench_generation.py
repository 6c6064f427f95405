"""Benchmark: account generation against the bcrypt floor, PDF rendering, peak memory.

    python tests/benchmarks/bench_generation.py --candidates 2000 [--db URL] [--json]

It measures this machine's own bcrypt time per hash at the configured cost, computes the
floor = N x hash time / worker count (no generation can be faster: hashing is the work),
runs a real generation of N candidates on a fresh database, and prints the wall time, the
ratio wall/floor, the PDF rendering time and size of each layout, and the peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from cyclades_tui.domain.exams import EXAMS, State
from cyclades_tui.domain.passwords import generate_password, hash_password
from cyclades_tui.pdf import DocumentInfo, SlipData, render_slips
from cyclades_tui.services import account_generation, schools
from cyclades_tui.services.actor import operator
from cyclades_tui.services.db_session import connect
from cyclades_tui.services.demo import demo_records
from cyclades_tui.services.import_core import store_records
from cyclades_tui.settings import load_settings
from cyclades_tui.store.models import School

BENCH_UAI = "0750001U"


def hash_seconds(cost: int, samples: int) -> float:
    """Mean time of one bcrypt hash at ``cost`` on one core."""
    start = time.perf_counter()
    for _ in range(samples):
        hash_password(generate_password(), cost)
    return (time.perf_counter() - start) / samples


def render_figures(count: int) -> dict[str, object]:
    """Rendering time and size of ``count`` slips per layout, and of a one-slip document."""
    info = DocumentInfo(
        title="Papillons de connexion",
        school_name="Lycée de mesure",
        school_uai=BENCH_UAI,
        site_url=load_settings().site_url,
    )
    slips = [
        SlipData(
            login=f"prenom.nom{i}",
            password=generate_password(),
            family_name=f"Nom{i}",
            usage_name="",
            first_name="Prénom",
            ine=f"{i:010d}A",
            exam_code="DNB",
            exam_label=EXAMS["DNB"],
            division=f"3{chr(65 + i % 6)}",
        )
        for i in range(count)
    ]
    figures: dict[str, object] = {}
    for layout in (1, 2):
        start = time.perf_counter()
        data = render_slips(slips, info, layout)
        figures[f"render_layout{layout}_s"] = round(time.perf_counter() - start, 3)
        figures[f"render_layout{layout}_bytes"] = len(data)
    figures["one_slip_bytes"] = len(render_slips(slips[:1], info, 1))
    return figures


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--samples", type=int, default=20, help="hashes timed for the floor")
    args = parser.parse_args()

    settings = load_settings()
    per_hash = hash_seconds(settings.provisional_cost, args.samples)

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        connect(url)
        actor = operator()
        if School.get_or_none(School.uai == BENCH_UAI) is None:
            schools.add_school(actor, BENCH_UAI, "Lycée de mesure")
        schools.set_service(actor, BENCH_UAI, True)
        school = School.get(School.uai == BENCH_UAI)
        # Fresh INEs per run so that the benchmark can reuse a PostgreSQL database.
        seed = int(time.time())
        # Every candidate registered, so that N accounts are created.
        records = [replace(r, state=State.INSCRIT) for r in demo_records(args.candidates, seed)]
        store_records(actor, school, records, [], False, "bench", where=str)
        eligible = len(account_generation.pending_candidates(actor, BENCH_UAI))
        start = time.perf_counter()
        result = account_generation.generate(actor, BENCH_UAI, settings=settings)
        wall = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        eligible_floor = eligible * per_hash / settings.workers

    figures: dict[str, object] = {
        "candidates": args.candidates,
        "accounts_created": result.created,
        "cost": settings.provisional_cost,
        "workers": settings.workers,
        "hash_ms": round(per_hash * 1000, 2),
        "floor_s": round(eligible_floor, 2),
        "wall_s": round(wall, 2),
        "ratio_wall_floor": round(wall / eligible_floor, 3) if eligible_floor else None,
        "documents_bytes": [d.size for d in result.documents],
        "peak_rss_mb": round(peak_mb, 1),
        "database": url.split(":", 1)[0],
    }
    figures.update(render_figures(args.candidates))
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(
            f"Comptes créés       : {result.created} (sur {args.candidates} candidats, "
            f"{figures['database']})"
        )
        print(
            f"bcrypt coût {settings.provisional_cost}     : {per_hash * 1000:.1f} ms par "
            f"hachage, {settings.workers} fil(s)"
        )
        print(f"Plancher            : {eligible_floor:.2f} s  (N x hachage / fils)")
        print(f"Durée réelle        : {wall:.2f} s  (ratio {figures['ratio_wall_floor']})")
        for layout in (1, 2):
            print(
                f"Rendu {layout} par page    : {figures[f'render_layout{layout}_s']} s, "
                f"{figures[f'render_layout{layout}_bytes']} octets ({args.candidates} "
                "papillons)"
            )
        print(f"PDF d'un papillon   : {figures['one_slip_bytes']} octets")
        print(f"Mémoire (pic RSS)   : {peak_mb:.1f} Mo")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
