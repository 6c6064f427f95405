"""Helpers for the robustness tests: real CLI processes and a consistency check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cyclades_tui.pdf.readback import read_credentials
from cyclades_tui.services.accounts import verify
from cyclades_tui.store.models import Account, Candidate, Document, Run, Slip, tuples
from tests.helpers import FAST_SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def cli_env(cost: int, extra: dict[str, str] | None) -> dict[str, str]:
    """The environment of a CLI process: cheap hashing unless ``cost`` says otherwise."""
    return {
        **os.environ,
        "CYCLADES_PROVISIONAL_COST": str(cost),
        "CYCLADES_CHOSEN_COST": "4",
        **(extra or {}),
    }


def cli_process(
    url: str, *args: str, env: dict[str, str] | None = None, cost: int = 4
) -> subprocess.Popen[str]:
    """Start `cyclades-tui ARGS --db URL` as a separate process."""
    full_env = cli_env(cost, env)
    return subprocess.Popen(
        [sys.executable, "-m", "cyclades_tui", *args, "--db", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=full_env,
        cwd=ROOT,
    )


def run_cli(
    url: str, *args: str, env: dict[str, str] | None = None, cost: int = 4, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `cyclades-tui` to completion in its own process."""
    full_env = cli_env(cost, env)
    return subprocess.run(
        [sys.executable, "-m", "cyclades_tui", *args, "--db", url],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=ROOT,
        input=stdin,
        timeout=300,
    )


def check_every_account_has_its_slip(verify_passwords: bool = True) -> int:
    """The promise: every account's current password is in exactly one stored document.

    Returns the number of accounts. Reads the PDFs back and, with ``verify_passwords``,
    logs in with every current slip's password.
    """
    accounts = {a.id: a for a in Account.select()}
    current: dict[int, list[int]] = {aid: [] for aid in accounts}
    for slip in Slip.select():
        if slip.password_version == accounts[slip.account_id].password_version:
            current[slip.account_id].append(slip.document_id)
    missing = [accounts[aid].login for aid, docs in current.items() if not docs]
    assert not missing, f"comptes sans papillon courant : {missing}"
    # One current password, printed in the documents of one run (a run stores two layouts).
    runs_per_account = {
        aid: {row[0] for row in tuples(Document.select(Document.run).where(Document.id.in_(d)))}
        for aid, d in current.items()
    }
    assert all(len(r) == 1 for r in runs_per_account.values())
    # Every run wrote its documents: no run of a crashed transaction survives.
    assert Run.select().where(Run.id.not_in(Document.select(Document.run))).count() == 0
    if verify_passwords:
        by_login = {a.login: a for a in accounts.values()}
        checked = set()
        for document in Document.select():
            for login, password in read_credentials(bytes(document.data)):
                account = by_login[login]
                if current[account.id] and document.id in current[account.id]:
                    assert verify(login, password, settings=FAST_SETTINGS).ok, login
                    checked.add(login)
        assert checked == set(by_login)
    return len(accounts)


def eligible_count() -> int:
    """Eligible candidates in the database (all schools)."""
    from cyclades_tui.services.candidates import eligible_condition
    from cyclades_tui.store.models import Candidature

    return int(
        Candidate.select(Candidate.id)
        .join(Candidature)
        .where(eligible_condition())
        .distinct()
        .count()
    )
