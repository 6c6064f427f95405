"""The staff lock-out cannot be raced, and refusals tell nothing of the account.

Reproduces the issue: 12 processes at once (11 wrong passwords, then the right one), a
burst of Enter typed into the TUI on a real pseudo-terminal, and refusals of unknown,
disabled and locked logins answered differently and at once.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from cyclades_tui.domain.passwords import hash_cost, hash_password, verify_password
from cyclades_tui.services import schools, staff, staff_login
from cyclades_tui.services.actor import operator
from cyclades_tui.services.errors import Refused
from cyclades_tui.settings import Settings, load_settings
from cyclades_tui.store.models import AuditEvent, Staff, utcnow
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.screens.login import LoginScreen
from tests.helpers import FAST_SETTINGS, wait_until, wait_until_async
from tests.resilience_helpers import ROOT, cli_env
from tests.terminal import Terminal
from tests.ui_helpers import text_of

UAI = "0392689L"
PASSWORD = "un mot de passe long"
# A slow hash for the target account: attempts overlap for real while it is checked.
SLOW_COST = 10

ATTEMPT = """
import sys, time
from pathlib import Path
from cyclades_tui.services import staff_login
from cyclades_tui.services.errors import Refused
from cyclades_tui.services.db_session import connect
from cyclades_tui.settings import load_settings
url, login, password, ready, gate = sys.argv[1:6]
connect(url)
Path(ready).touch()
deadline = time.monotonic() + 60
while not Path(gate).exists() and time.monotonic() < deadline:
    time.sleep(0.001)
try:
    staff_login.authenticate(login, password, settings=load_settings())
    print("OK")
except Refused:
    print("REFUSED")
"""


def login_causes() -> list[str]:
    return [
        e.detail
        for e in AuditEvent.select().where(AuditEvent.action == "login").order_by(AuditEvent.id)
    ]


def evaluated(causes: list[str]) -> list[str]:
    """Attempts whose password was checked against the account's hash."""
    return [c for c in causes if c.startswith("mot de passe incorrect") or c == "connexion"]


def target_account(login: str = "cible") -> None:
    schools.add_school(operator(), UAI, "Lycée")
    staff.add_staff(operator(), login, PASSWORD, UAI, settings=load_settings(), must_change=False)
    Staff.update(password_hash=hash_password(PASSWORD, SLOW_COST)).where(
        Staff.login == login
    ).execute()


def parallel_attempts(url: str, tmp_path: Path, passwords: list[str]) -> list[str]:
    """Start one process per password, release them together, return their verdicts."""
    gate = tmp_path / "go"
    procs = []
    readies = []
    for index, password in enumerate(passwords):
        ready = tmp_path / f"ready{index}"
        readies.append(ready)
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", ATTEMPT, url, "cible", password, str(ready), str(gate)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=cli_env(4, None),
                cwd=ROOT,
            )
        )

    def ready() -> bool:
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        return all(r.exists() for r in readies)

    wait_until(ready, 120, "processus non prêts")
    gate.touch()
    verdicts = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        verdicts.append(out.strip())
    return verdicts


def test_eleven_parallel_wrong_attempts_evaluate_at_most_five(db_url: str, tmp_path: Path) -> None:
    target_account()
    limit = load_settings().lockout_attempts
    verdicts = parallel_attempts(db_url, tmp_path, [f"mauvais {i}" for i in range(11)])
    assert verdicts == ["REFUSED"] * 11
    causes = login_causes()
    assert len(causes) == 11
    assert len(evaluated(causes)) == limit  # the others were refused unevaluated
    assert causes.count("compte verrouillé") == 11 - limit
    # Then the right password: refused while the lock lasts.
    with pytest.raises(Refused):
        staff_login.authenticate("cible", PASSWORD, settings=load_settings())
    assert login_causes()[-1] == "compte verrouillé"
    assert Staff.get(Staff.login == "cible").locked_until is not None


def test_twelve_at_once_with_the_right_one_evaluate_at_most_five(
    db_url: str, tmp_path: Path
) -> None:
    target_account()
    limit = load_settings().lockout_attempts
    verdicts = parallel_attempts(db_url, tmp_path, [f"mauvais {i}" for i in range(11)] + [PASSWORD])
    checked = evaluated(login_causes())
    assert len(checked) <= limit
    # The right password logged in only if it was among the attempts evaluated.
    assert (verdicts[-1] == "OK") == ("connexion" in checked)
    assert verdicts[:-1] == ["REFUSED"] * 11


def counting_bcrypt(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the cost of every hash authenticate() checks a password against."""
    costs: list[int] = []

    def counted(password: str, hashed: str) -> bool:
        costs.append(hash_cost(hashed))
        return verify_password(password, hashed)

    monkeypatch.setattr(staff_login, "verify_password", counted)
    return costs


def refusal_cases() -> dict[str, Callable[[], None]]:
    """An unknown login, a disabled account, a locked one, a wrong password."""
    schools.add_school(operator(), UAI, "Lycée")
    for login in ("actif", "desactive", "verrouille"):
        staff.add_staff(
            operator(), login, PASSWORD, UAI, settings=load_settings(), must_change=False
        )
    staff.disable(operator(), "desactive")
    Staff.update(locked_until=utcnow().replace(year=2100)).where(
        Staff.login == "verrouille"
    ).execute()
    never_locks = Settings(chosen_cost=load_settings().chosen_cost, lockout_attempts=10_000)
    return {
        "inconnu": lambda: staff_login.authenticate("personne", PASSWORD, settings=never_locks),
        "désactivé": lambda: staff_login.authenticate("desactive", PASSWORD, settings=never_locks),
        "verrouillé": lambda: staff_login.authenticate(
            "verrouille", PASSWORD, settings=never_locks
        ),
        "faux": lambda: staff_login.authenticate(
            "actif", "mauvais mot de passe", settings=never_locks
        ),
    }


def test_every_refusal_says_the_same_and_checks_one_bcrypt_hash(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = refusal_cases()
    costs = counting_bcrypt(monkeypatch)
    messages = {}
    for name, attempt in cases.items():
        before = len(costs)
        with pytest.raises(Refused) as refused:
            attempt()
        messages[name] = refused.value.message
        # One bcrypt check each, at the cost of the staff's hashes.
        assert costs[before:] == [load_settings().chosen_cost], name
    assert len(set(messages.values())) == 1
    # The audit trail, and only it, tells the true cause.
    assert login_causes() == [
        "identifiant inconnu : « personne »",
        "compte désactivé",
        "compte verrouillé",
        "mot de passe incorrect",
    ]


@pytest.mark.parametrize("typing", ["burst", "typist"])
def test_enter_in_a_terminal_evaluates_one_attempt_at_a_time(sqlite_url: str, typing: str) -> None:
    target_account()
    limit = load_settings().lockout_attempts
    tui = Terminal.app(["--db", sqlite_url], env=cli_env(4, None))
    try:
        tui.wait_for("Connexion du personnel", 60)
        tui.write(b"cible\r")
        attempts = [f"mauvais{i}\r".encode() for i in range(10)]
        if typing == "burst":  # ten wrong passwords and their Enter in one write (a paste)
            tui.write(b"".join(attempts))
        else:  # a fast typist: each Enter lands while the previous check still runs
            for attempt in attempts:
                tui.write(attempt)
                time.sleep(0.02)  # the pace of the keys, not a synchronisation
        tui.wait_for("incorrect", 60)
    finally:
        # The app ends once its running checks are done (the executor joins them).
        assert tui.quit() == 0
    causes = login_causes()
    assert 1 <= len(evaluated(causes)) <= limit, causes


async def test_enter_while_a_password_is_checked_starts_nothing(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target_account()
    release = threading.Event()
    started: list[str] = []

    def held(password: str, hashed: str) -> bool:
        started.append(password)
        release.wait(timeout=30)  # the check lasts until the test lets it end
        return verify_password(password, hashed)

    monkeypatch.setattr(staff_login, "verify_password", held)
    app = CycladesApp(db_url=sqlite_url, settings=load_settings())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LoginScreen)
        await pilot.press(*"cible", "enter", *"mauvais1", "enter")
        await wait_until_async(lambda: started, 30, "le premier contrôle")  # in its thread
        for i in range(2, 8):
            await pilot.press(*f"mauvais{i}", "enter")
        await pilot.pause()
        assert started == ["mauvais1"]  # every later Enter was ignored
        release.set()
        # The refusal arrives; the screen takes Enter again.
        await wait_until_async(lambda: not screen.checking, 30, "le refus")
        assert started == ["mauvais1"]
        assert "incorrect" in text_of(pilot, "#message")
    assert login_causes() == ["mot de passe incorrect"]


def test_parallel_wrong_passwords_all_count(db_url: str) -> None:
    schools.add_school(operator(), "0392689L", "Lycée")
    staff.add_staff(
        operator(), "cible", PASSWORD, "0392689L", settings=FAST_SETTINGS, must_change=False
    )
    barrier = threading.Barrier(8, timeout=30)

    def attempt() -> None:
        barrier.wait()
        with pytest.raises(Refused):
            staff_login.authenticate("cible", "mauvais", settings=FAST_SETTINGS)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Staff.get(Staff.login == "cible").locked_until is not None
    with pytest.raises(Refused, match="verrouillé"):
        staff_login.authenticate("cible", PASSWORD, settings=FAST_SETTINGS)


DIES_DURING_CHECK = """
import os, sys
from cyclades_tui.services import staff_login
from cyclades_tui.services.db_session import connect
from cyclades_tui.settings import load_settings
connect(sys.argv[1])
def dies(password, hashed):  # the SSH link drops while bcrypt runs: SIGHUP ends us here
    os._exit(1)
staff_login.verify_password = dies
staff_login.authenticate(sys.argv[2], "mauvais mot de passe", settings=load_settings())
"""


def test_attempts_killed_during_the_check_leave_a_lock_that_expires(db_url: str) -> None:
    target_account()
    limit = load_settings().lockout_attempts
    for _ in range(limit):
        died = subprocess.run(
            [sys.executable, "-c", DIES_DURING_CHECK, db_url, "cible"],
            capture_output=True,
            text=True,
            env=cli_env(4, None),
            cwd=ROOT,
            timeout=120,
        )
        assert died.returncode == 1, died.stderr
    account = Staff.get(Staff.login == "cible")
    # Every slot spent, and the lock set with the last one: it will end by itself.
    assert account.locked_until is not None and account.locked_until > utcnow()
    with pytest.raises(Refused):
        staff_login.authenticate("cible", PASSWORD, settings=load_settings())
    Staff.update(locked_until=utcnow() - timedelta(seconds=1)).where(
        Staff.login == "cible"
    ).execute()
    assert staff_login.authenticate("cible", PASSWORD, settings=load_settings()).login == "cible"


def test_an_unknown_login_that_could_be_a_password_is_not_kept_whole(sqlite_url: str) -> None:
    target_account()
    typed = "correct-horse.battery.staple"  # lower case, a login's shape, 28 characters
    for attempt in (typed, "admin"):
        with pytest.raises(Refused):
            staff_login.authenticate(attempt, PASSWORD, settings=load_settings())
    causes = login_causes()
    assert causes[-2:] == [
        "identifiant inconnu : « corr… » (28 caractères)",
        "identifiant inconnu : « admin »",
    ]
    assert not [e for e in AuditEvent.select() if typed in (e.detail or "")]
