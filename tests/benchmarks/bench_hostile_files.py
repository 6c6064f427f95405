"""Benchmark: how long and how much memory refusing the issue's hostile SIECLE files costs.

    python tests/benchmarks/bench_hostile_files.py [--pupils 3000] [--json]

Builds the issue 17 files (an internal entity of 60 million « A » used 95 times: a 58 KB zip;
9 million nested elements: a 61 KB zip) and, for comparison, a real-sized export of
``--pupils`` pupils. For each: the time ``parse_siecle`` takes to refuse (or read) it in this
process, then the wall time and peak memory (ru_maxrss from wait4) of the real
`cyclades-tui import … --dry-run` in a child process. Target (issue 17): a refusal under 2 s
and 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cyclades_tui.services.errors import BadInput  # noqa: E402
from cyclades_tui.services.siecle_export import parse_siecle  # noqa: E402
from tests.helpers import bea  # noqa: E402
from tests.siecle_factory import (  # noqa: E402
    Pupil,
    entity_bomb_zip,
    export_zip,
    nesting_bomb_zip,
)

UAI = "0392689L"


def in_process(data: bytes) -> tuple[float, str]:
    """Seconds ``parse_siecle`` takes, and its outcome."""
    start = time.perf_counter()
    try:
        export = parse_siecle(data)
        outcome = f"lu : {len(export.pupils)} élèves"
    except BadInput as error:
        outcome = f"refusé : {error.faults[0] if error.faults else error.message}"
    return time.perf_counter() - start, outcome


def child(path: Path, url: str) -> tuple[float, int, int]:
    """Wall seconds, exit status and peak resident kB of `cyclades-tui import --dry-run`."""
    env = {**os.environ, "CYCLADES_PROVISIONAL_COST": "4", "CYCLADES_CHOSEN_COST": "4"}
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cyclades_tui",
            "import",
            str(path),
            "--school",
            UAI,
            "--exam",
            "DNB",
            "--state",
            "inscrit",
            "--yes",
            "--dry-run",
            "--db",
            url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, os.waitstatus_to_exitcode(status), usage.ru_maxrss


def main() -> None:
    """Print one line a file (or JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=3000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    pupils = [
        Pupil(str(n), bea(n), "Lefèvre", "Anaïs", "15/04/2011", f"3{n % 8}")
        for n in range(1, args.pupils + 1)
    ]
    files = {
        "entités (60 M « A » x 95)": entity_bomb_zip(UAI),
        "imbrication (9 M éléments)": nesting_bomb_zip(),
        f"export réel ({args.pupils} élèves)": export_zip(UAI, pupils),
    }
    results = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        env = {**os.environ, "CYCLADES_PROVISIONAL_COST": "4"}
        for command in (
            ["init"],
            ["school", "add", UAI, "Lycée"],
            ["school", "service", UAI, "on"],
        ):
            subprocess.run(
                [sys.executable, "-m", "cyclades_tui", *command, "--db", url],
                check=True,
                capture_output=True,
                env=env,
                cwd=ROOT,
            )
        for name, data in files.items():
            path = Path(folder) / "export.zip"
            path.write_bytes(data)
            seconds, outcome = in_process(data)
            wall, code, peak_kb = child(path, url)
            results.append(
                {
                    "file": name,
                    "zip_kb": round(len(data) / 1024),
                    "parse_s": round(seconds, 4),
                    "outcome": outcome,
                    "cli_s": round(wall, 2),
                    "cli_exit": code,
                    "cli_peak_mb": round(peak_kb / 1024),
                }
            )
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    for r in results:
        print(
            f"{r['file']:32} {r['zip_kb']:>5} Ko  parse {r['parse_s']:.4f} s  "
            f"CLI {r['cli_s']:.2f} s (code {r['cli_exit']}), pic {r['cli_peak_mb']} Mo  "
            f"— {r['outcome']}"
        )


if __name__ == "__main__":
    main()
