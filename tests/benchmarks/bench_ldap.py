"""Benchmark: `accounts ldap-sync` of N accounts into a private slapd, first and no-change run.

    python tests/benchmarks/bench_ldap.py [--accounts 2000] [--db URL] [--json]

Generates N accounts (bcrypt cost 4: the sync copies hashes, their cost does not matter),
starts an OpenLDAP slapd of its own on 127.0.0.1 in a temporary folder, then times a first
sync (every entry created), a second one with nothing new (target: under 2 s for 2,000), and
one after regenerating one password. The slapd is stopped afterwards.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

# Run as a script: the repository root is where tests.slapd_server is found.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cyclades_tui.domain.exams import State
from cyclades_tui.services import (
    account_generation,
    account_regeneration,
    directory,
    schools,
)
from cyclades_tui.services.actor import operator
from cyclades_tui.services.db_session import connect
from cyclades_tui.services.demo import demo_records
from cyclades_tui.services.import_core import store_records
from cyclades_tui.settings import load_settings
from cyclades_tui.store.models import School
from tests.slapd_server import running_slapd

BENCH_UAI = "0750001U"


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        connect(url)
        actor = operator()
        if School.get_or_none(School.uai == BENCH_UAI) is None:
            schools.add_school(actor, BENCH_UAI, "Lycée de mesure")
        schools.set_service(actor, BENCH_UAI, True)
        school = School.get(School.uai == BENCH_UAI)
        records = [
            replace(r, state=State.INSCRIT) for r in demo_records(args.accounts, int(time.time()))
        ]
        store_records(actor, school, records, [], False, "bench", where=str)
        fast = replace(load_settings(db_override=url), provisional_cost=4, chosen_cost=4)
        account_generation.generate(actor, BENCH_UAI, settings=fast)
        with running_slapd(Path(tmp)) as server:
            settings = load_settings(server.env(), db_override=url)
            timings: dict[str, float] = {}
            reports = {}
            for name in ("first", "no_change"):
                start = time.perf_counter()
                reports[name] = directory.ldap_sync(actor, settings, BENCH_UAI)
                timings[name] = time.perf_counter() - start
            one = records[0].ine
            account_regeneration.regenerate(actor, BENCH_UAI, one, settings=fast)
            start = time.perf_counter()
            reports["one_regenerated"] = directory.ldap_sync(actor, settings, BENCH_UAI)
            timings["one_regenerated"] = time.perf_counter() - start

    figures = {
        "accounts": reports["first"].accounts,
        "database": url.split(":", 1)[0],
        "first_sync_s": round(timings["first"], 2),
        "first_sync_modifications": reports["first"].modifications,
        "no_change_sync_s": round(timings["no_change"], 2),
        "no_change_sync_modifications": reports["no_change"].modifications,
        "one_regenerated_sync_s": round(timings["one_regenerated"], 2),
        "one_regenerated_modifications": reports["one_regenerated"].modifications,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"Comptes                      : {figures['accounts']} ({figures['database']})")
        print(
            f"Première synchronisation     : {figures['first_sync_s']} s, "
            f"{figures['first_sync_modifications']} modification(s)"
        )
        print(
            f"Synchronisation sans changement : {figures['no_change_sync_s']} s, "
            f"{figures['no_change_sync_modifications']} modification (objectif < 2 s)"
        )
        print(
            f"Après une regénération       : {figures['one_regenerated_sync_s']} s, "
            f"{figures['one_regenerated_modifications']} modification(s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
