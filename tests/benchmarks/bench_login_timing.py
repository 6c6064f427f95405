"""Benchmark: how long a refused login takes, by cause, over a real pseudo-terminal.

    python tests/benchmarks/bench_login_timing.py [--rounds 7] [--cost N] [--json]

What an attacker over SSH sees: one new `cyclades-tui` process per attempt (one SSH
connection each), on a pty of 80x24; the login and password are typed in one write once the
login screen is drawn and quiet, and the clock runs from that write until « incorrect » is
on screen.
Four causes: unknown login, disabled account, locked account, wrong password. The staff
cost is the configured one (``CYCLADES_CHOSEN_COST``, else the default 12) unless --cost.
The figure to watch is the ratio of the slowest median to the fastest (target ≤ 1.2): a
login's existence must not show in the time of its refusal.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cyclades_tui.services import schools, staff  # noqa: E402
from cyclades_tui.services.actor import operator  # noqa: E402
from cyclades_tui.services.db_session import connect  # noqa: E402
from cyclades_tui.settings import load_settings  # noqa: E402
from cyclades_tui.store.models import Staff, utcnow  # noqa: E402
from tests.terminal import Terminal  # noqa: E402

PASSWORD = "un mot de passe du personnel"
CASES = {
    "unknown login": ("personne", PASSWORD),
    "disabled account": ("desactive", PASSWORD),
    "locked account": ("verrouille", PASSWORD),
    "wrong password": ("actif", "pas le bon mot de passe"),
}


def prepare(url: str, cost: int) -> None:
    """A school with an active, a disabled and a locked staff account, hashed at ``cost``."""
    connect(url)
    settings = load_settings({"CYCLADES_CHOSEN_COST": str(cost)})
    schools.add_school(operator(), "0392689L", "Lycée")
    for login in ("actif", "desactive", "verrouille"):
        staff.add_staff(
            operator(), login, PASSWORD, "0392689L", settings=settings, must_change=False
        )
    staff.disable(operator(), "desactive")
    Staff.update(locked_until=utcnow().replace(year=2100)).where(
        Staff.login == "verrouille"
    ).execute()


def one_attempt(url: str, cost: int, login: str, password: str) -> float:
    """Seconds from typing the credentials to the refusal on screen, in a new process."""
    env = {
        "CYCLADES_CHOSEN_COST": str(cost),
        "CYCLADES_LOCKOUT_ATTEMPTS": "1000",
        "SSH_CONNECTION": "127.0.0.1 50000 127.0.0.1 22",
    }
    term = Terminal.app(["--db", url], env=env)
    try:
        term.wait_for("Connexion du personnel", timeout=60)
        # A person types after the screen is drawn; the start-up work is then done.
        term.wait_quiet(0.5, timeout=60)
        start = time.perf_counter()
        term.write(f"{login}\r{password}\r".encode())
        term.wait_for("incorrect", timeout=60)
        return time.perf_counter() - start
    finally:
        term.close()


def main() -> None:
    """Measure each cause ``--rounds`` times (interleaved), print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--cost", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cost = args.cost or load_settings(os.environ).chosen_cost
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        prepare(url, cost)
        times: dict[str, list[float]] = {name: [] for name in CASES}
        for _ in range(args.rounds):
            for name, (login, password) in CASES.items():  # interleaved: same machine load
                times[name].append(one_attempt(url, cost, login, password))
    medians = {name: statistics.median(values) for name, values in times.items()}
    ratio = max(medians.values()) / min(medians.values())
    figures = {
        "cost": cost,
        "rounds": args.rounds,
        "median_ms": {n: round(v * 1000) for n, v in medians.items()},
        "range_ms": {n: [round(min(v) * 1000), round(max(v) * 1000)] for n, v in times.items()},
        "ratio_slowest_fastest": round(ratio, 3),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"bcrypt cost {cost}, {args.rounds} new processes per cause (pty 80x24)")
    for name, value in figures["median_ms"].items():  # type: ignore[attr-defined]
        low, high = figures["range_ms"][name]  # type: ignore[index]
        print(f"  {name:<18} median {value:>5} ms  (min {low}, max {high})")
    print(f"  ratio slowest / fastest median: {ratio:.3f} (target ≤ 1.2)")


if __name__ == "__main__":
    main()
