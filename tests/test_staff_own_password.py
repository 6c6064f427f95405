"""Staff own their password: rules, forced change at first login, the change screen, the
same cost for every refusal from a process's first attempt, traceable and liftable locks."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from cyclades_tui.domain.passwords import hash_cost, hash_password, verify_password
from cyclades_tui.domain.staff_passwords import common_passwords, staff_password_problem
from cyclades_tui.services import own_password, schools, staff, staff_login
from cyclades_tui.services.actor import ROLE_MANAGER, Actor, operator
from cyclades_tui.services.errors import BadInput, Refused
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import AuditEvent, Staff, StaffAddressLock, utcnow
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.screens.home import HomeScreen
from cyclades_tui.ui.screens.login import LoginScreen
from cyclades_tui.ui.screens.password import ChangePasswordScreen, ForcedPasswordScreen
from cyclades_tui.ui.screens.schools import SchoolPickerScreen
from tests.helpers import FAST_SETTINGS, Cli
from tests.resilience_helpers import ROOT, cli_env
from tests.terminal import ENTER, ESC, Terminal
from tests.ui_helpers import settle, text_of

UAI = "0392689L"
GIVEN = "donne-par-le-service"
MINE = "Mon-choix-a-moi-2026"


def school_and_agent(must_change: bool = True) -> None:
    schools.add_school(operator(), UAI, "Lycée")
    schools.set_service(operator(), UAI, True)
    staff.add_staff(
        operator(), "agent", GIVEN, UAI, settings=FAST_SETTINGS, must_change=must_change
    )


def login_details() -> list[str]:
    return [
        e.detail
        for e in AuditEvent.select().where(AuditEvent.action == "login").order_by(AuditEvent.id)
    ]


# --- the rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("court", "trop court"),
        ("agent-du-lycee-2026", "identifiant"),
        ("AGENTAGENTAGENT", "identifiant"),
        ("AzertyUiop123", "courants"),
        ("motdepasse2026!", "courants"),
        ("123456789012", "courants"),
    ],
)
def test_the_rules_refuse_short_login_like_and_common_passwords(password: str, words: str) -> None:
    problem = staff_password_problem("agent", password)
    assert problem is not None and words in problem


def test_the_common_list_is_shipped_and_a_good_password_passes() -> None:
    assert 300 <= len(common_passwords()) <= 5000
    assert "azerty" in common_passwords()
    assert staff_password_problem("agent", MINE) is None


def test_the_cli_refuses_with_the_same_french_rules(sqlite_url: str) -> None:
    cli = Cli(sqlite_url)
    assert cli("school", "add", UAI, "Lycée").code == 0
    for bad, words in (
        ("Motdepasse123", "courants"),
        ("agent.principal1", "identifiant"),
        ("court", "trop court"),
    ):
        result = cli("staff", "add", "agent", "--school", UAI, stdin=f"{bad}\n{bad}\n")
        assert result.code == 2 and words in result.err, result
    assert not Staff.select().where(Staff.login == "agent").exists()
    made = cli("staff", "add", "agent", "--school", UAI, stdin=f"{GIVEN}\n{GIVEN}\n")
    assert made.code == 0 and "première connexion" in made.out
    reset = cli("staff", "reset-password", "agent", stdin="azertyuiop12\nazertyuiop12\n")
    assert reset.code == 2 and "courants" in reset.err


# --- forced change, --keep-password ------------------------------------------------------


def test_add_and_reset_set_the_flag_unless_keep_password(sqlite_url: str) -> None:
    cli = Cli(sqlite_url)
    assert cli("school", "add", UAI, "Lycée").code == 0
    assert cli("staff", "add", "agent", "--school", UAI, stdin=f"{GIVEN}\n{GIVEN}\n").code == 0
    assert own_password.must_change_password("agent")
    assert (
        cli("staff", "reset-password", "agent", "--keep-password", stdin=f"{MINE}\n{MINE}\n").code
        == 0
    )
    assert not own_password.must_change_password("agent")
    assert cli("staff", "reset-password", "agent", stdin=f"{GIVEN}\n{GIVEN}\n").code == 0
    assert own_password.must_change_password("agent")
    assert (
        cli(
            "staff", "add", "autre", "--school", UAI, "--keep-password", stdin=f"{MINE}\n{MINE}\n"
        ).code
        == 0
    )
    assert not own_password.must_change_password("autre")
    # Never a password in the audit trail.
    assert not [e for e in AuditEvent.select() if GIVEN in e.detail or MINE in e.detail]


async def log_in(pilot: object, login: str, password: str) -> None:
    await pilot.press(*login, "enter", *password, "enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


async def test_forced_change_at_first_login_escape_logs_out(sqlite_url: str) -> None:
    school_and_agent()
    app = CycladesApp(db_url=sqlite_url, settings=FAST_SETTINGS)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await log_in(pilot, "agent", GIVEN)
        assert isinstance(app.screen, ForcedPasswordScreen)
        assert app.session is None  # no activity until the password is changed
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)  # out, not past it
        await log_in(pilot, "agent", GIVEN)
        assert isinstance(app.screen, ForcedPasswordScreen)
        # The rules, on the screen, in French.
        await pilot.press(
            *GIVEN, "enter", *"agent-2026-lycee", "enter", *"agent-2026-lycee", "enter"
        )
        await settle(pilot)
        assert "identifiant" in text_of(pilot, "#message")
        assert isinstance(app.screen, ForcedPasswordScreen)
        await pilot.press(*GIVEN, "enter", *MINE, "enter", *MINE, "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.session is not None and app.session.actor.login == "agent"
    assert not own_password.must_change_password("agent")
    assert verify_password(MINE, Staff.get(Staff.login == "agent").password_hash)


async def test_kept_password_goes_straight_home(sqlite_url: str) -> None:
    school_and_agent(must_change=False)
    app = CycladesApp(db_url=sqlite_url, settings=FAST_SETTINGS)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await log_in(pilot, "agent", GIVEN)
        assert isinstance(app.screen, HomeScreen)


async def test_the_exam_manager_changes_their_password_from_the_school_choice(
    sqlite_url: str,
) -> None:
    """The school choice is the manager's first screen after login: the palette offers
    « Changer mon mot de passe » there too (and « Déconnexion »), Échap comes back to it."""
    schools.add_school(operator(), UAI, "Lycée")
    staff.add_staff(
        operator(),
        "chef",
        GIVEN,
        None,
        role=ROLE_MANAGER,
        settings=FAST_SETTINGS,
        must_change=False,
    )
    app = CycladesApp(db_url=sqlite_url, settings=FAST_SETTINGS)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await log_in(pilot, "chef", GIVEN)
        assert isinstance(app.screen, SchoolPickerScreen)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Changer mon mot de passe" in titles and "Déconnexion" in titles
        await pilot.press("ctrl+p", *"Changer mon mot", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ChangePasswordScreen)
        await pilot.press(*GIVEN, "enter", *MINE, "enter", *MINE, "enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SchoolPickerScreen)
    assert verify_password(MINE, Staff.get(Staff.login == "chef").password_hash)


async def test_the_palette_opens_the_change_screen(sqlite_url: str) -> None:
    school_and_agent(must_change=False)
    app = CycladesApp(db_url=sqlite_url, settings=FAST_SETTINGS)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await log_in(pilot, "agent", GIVEN)
        await pilot.press("ctrl+p", *"Changer mon mot", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ChangePasswordScreen)
        await pilot.press(*"pas le bon mot", "enter", *MINE, "enter", *MINE, "enter")
        await settle(pilot)
        assert "actuel incorrect" in text_of(pilot, "#message")
        await pilot.press(*GIVEN, "enter", *"court", "enter", *"court", "enter")
        await settle(pilot)
        assert "trop court" in text_of(pilot, "#message")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)  # Échap goes back here, not out
    assert verify_password(GIVEN, Staff.get(Staff.login == "agent").password_hash)


def test_a_burst_on_a_real_terminal_changes_the_password_then_home(sqlite_url: str) -> None:
    school_and_agent()
    term = Terminal.app(["--db", sqlite_url], env={"CYCLADES_CHOSEN_COST": "4"})
    try:
        term.wait_for("Connexion du personnel")
        term.write(f"agent\r{GIVEN}\r".encode())
        term.wait_for("Changer mon mot de passe")
        term.write(f"{GIVEN}\r{MINE}\r{MINE}\r".encode())
        screen = term.wait_for("Mon établissement")
        assert MINE not in screen and GIVEN not in screen
        assert "agent" in screen
    finally:
        term.close()
    assert not own_password.must_change_password("agent")


def test_escape_on_a_real_terminal_logs_out(sqlite_url: str) -> None:
    school_and_agent()
    term = Terminal.app(["--db", sqlite_url], env={"CYCLADES_CHOSEN_COST": "4"})
    try:
        term.wait_for("Connexion du personnel")
        term.write(f"agent\r{GIVEN}\r".encode())
        term.wait_for("Changer mon mot de passe")
        term.write(ESC)
        term.wait_for(
            lambda s: "Connexion du personnel" in s and "Changer mon mot de passe" not in s
        )
        term.write(f"agent\r{GIVEN}\r".encode() + ENTER)
        term.wait_for("Changer mon mot de passe")
    finally:
        term.close()
    assert own_password.must_change_password("agent")


# --- hash upgrade ----------------------------------------------------------------------


def test_a_login_upgrades_the_hash_when_the_cost_rises(sqlite_url: str) -> None:
    school_and_agent(must_change=False)
    assert hash_cost(Staff.get(Staff.login == "agent").password_hash) == 4
    higher = Settings(chosen_cost=5, provisional_cost=4)
    with pytest.raises(Refused):
        staff_login.authenticate("agent", "mauvais mot de passe", settings=higher)
    assert hash_cost(Staff.get(Staff.login == "agent").password_hash) == 4  # not on failure
    staff_login.authenticate("agent", GIVEN, settings=higher)
    upgraded = Staff.get(Staff.login == "agent").password_hash
    assert hash_cost(upgraded) == 5 and verify_password(GIVEN, upgraded)
    staff_login.authenticate("agent", GIVEN, settings=FAST_SETTINGS)  # never downgraded
    assert Staff.get(Staff.login == "agent").password_hash == upgraded


# --- one bcrypt check for every refusal, from the first attempt -----------------------

FIRST_ATTEMPT = """
import json, sys
import bcrypt
from cyclades_tui.domain.passwords import hash_cost
checks, hashes = [], []
real_check, real_hash = bcrypt.checkpw, bcrypt.hashpw
def check(password, hashed):
    checks.append(hash_cost(hashed.decode()))
    return real_check(password, hashed)
def make(password, salt):
    hashes.append(1)
    return real_hash(password, salt)
bcrypt.checkpw, bcrypt.hashpw = check, make
from cyclades_tui.services import staff_login
from cyclades_tui.services.errors import Refused
from cyclades_tui.services.db_session import connect
from cyclades_tui.settings import load_settings
connect(sys.argv[1])
settings = load_settings()
staff_login.prepare_login(settings)  # what the TUI does at start, before it takes a key
made_before = len(hashes)
try:
    staff_login.authenticate(sys.argv[2], sys.argv[3], settings=settings)
except Refused:
    pass
print(json.dumps({"checks": checks, "hashes_during": len(hashes) - made_before}))
"""


def test_each_refusal_costs_one_check_at_the_staff_cost_in_a_fresh_process(db_url: str) -> None:
    school_and_agent(must_change=False)
    for login in ("desactive", "verrouille"):
        staff.add_staff(operator(), login, GIVEN, UAI, settings=FAST_SETTINGS, must_change=False)
    staff.disable(operator(), "desactive")
    Staff.update(locked_until=utcnow().replace(year=2100)).where(
        Staff.login == "verrouille"
    ).execute()
    cost = 5
    for login, password in (
        ("personne", GIVEN),
        ("desactive", GIVEN),
        ("verrouille", GIVEN),
        ("agent", "mauvais mot de passe"),
    ):
        run = subprocess.run(
            [sys.executable, "-c", FIRST_ATTEMPT, db_url, login, password],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            env={**cli_env(4, None), "CYCLADES_CHOSEN_COST": str(cost)},
        )
        assert run.returncode == 0, run.stderr
        counts = json.loads(run.stdout)
        expected = [cost] if login != "agent" else [4]  # the account's own hash: cost 4
        assert counts == {"checks": expected, "hashes_during": 0}, (login, counts)


def test_every_refusal_is_answered_at_a_deadline_not_when_its_work_is_done(db_url: str) -> None:
    """The causes do different database work (one to three write transactions): each
    refusal waits for the same deadline after the attempt started, whatever the cause, so
    even at cost 4 (a check of about a millisecond) none answers before the margin."""
    school_and_agent(must_change=False)
    staff.add_staff(operator(), "desactive", GIVEN, UAI, settings=FAST_SETTINGS, must_change=False)
    staff.disable(operator(), "desactive")
    Staff.update(locked_until=utcnow().replace(year=2100)).where(
        Staff.login == "desactive"
    ).execute()
    staff.add_staff(operator(), "verrouille", GIVEN, UAI, settings=FAST_SETTINGS, must_change=False)
    Staff.update(locked_until=utcnow().replace(year=2100)).where(
        Staff.login == "verrouille"
    ).execute()
    for login, password in (
        ("personne", GIVEN),
        ("desactive", GIVEN),
        ("verrouille", GIVEN),
        ("agent", "mauvais mot de passe"),
    ):
        started = time.monotonic()
        with pytest.raises(Refused):
            staff_login.authenticate(login, password, settings=FAST_SETTINGS)
        assert time.monotonic() - started >= staff_login.REFUSAL_MARGIN, login


async def test_the_app_makes_the_dummy_hash_before_taking_keys(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    school_and_agent(must_change=False)
    monkeypatch.setattr(staff_login, "_dummy_hashes", {})
    made: list[int] = []

    def counted(password: str, cost: int) -> str:
        made.append(cost)
        return hash_password(password, cost)

    monkeypatch.setattr(staff_login, "hash_password", counted)
    app = CycladesApp(db_url=sqlite_url, settings=FAST_SETTINGS)
    async with app.run_test(size=(80, 24)) as pilot:
        # The first keys wait until the start-up tasks (the dummy hash) are done.
        await pilot.press(*"personne", "enter", *"un mot de passe", "enter")
        await settle(pilot)
        assert "incorrect" in text_of(pilot, "#message")
    assert staff_login.dummy_hash_ready(FAST_SETTINGS.chosen_cost)
    assert made == [FAST_SETTINGS.chosen_cost]  # once, by prepare_login


# --- the client address, unlock, enable ------------------------------------------------

ATTEMPT_FROM = """
import sys
from cyclades_tui.services import staff_login
from cyclades_tui.services.errors import Refused
from cyclades_tui.services.db_session import connect
from cyclades_tui.settings import load_settings
connect(sys.argv[1])
try:
    staff_login.authenticate(sys.argv[2], sys.argv[3], settings=load_settings())
    print("OK")
except Refused:
    print("REFUSED")
"""


def attempt_from(
    url: str, address: str, login: str, password: str, extra: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    env = {**cli_env(4, extra), "SSH_CONNECTION": f"{address} 52000 127.0.0.1 22"}
    return subprocess.Popen(
        [sys.executable, "-c", ATTEMPT_FROM, url, login, password],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def verdict(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out.strip()


def test_failed_logins_record_the_ssh_client_address(db_url: str) -> None:
    school_and_agent(must_change=False)
    assert verdict(attempt_from(db_url, "127.0.0.7", "agent", "mauvais")) == "REFUSED"
    assert verdict(attempt_from(db_url, "::1", "personne", "mauvais")) == "REFUSED"
    assert verdict(attempt_from(db_url, "x;rm -rf", "agent", "mauvais")) == "REFUSED"
    assert verdict(attempt_from(db_url, "127.0.0.7", "agent", GIVEN)) == "OK"
    assert login_details() == [
        "mot de passe incorrect (depuis 127.0.0.7)",
        "identifiant inconnu : « personne » (depuis ::1)",
        "mot de passe incorrect",
        "connexion (depuis 127.0.0.7)",
    ]


def test_the_address_reaches_the_audit_from_a_real_terminal(sqlite_url: str) -> None:
    school_and_agent(must_change=False)
    term = Terminal.app(
        ["--db", sqlite_url],
        env={"CYCLADES_CHOSEN_COST": "4", "SSH_CONNECTION": "127.0.0.9 40000 127.0.0.1 22"},
    )
    try:
        term.wait_for("Connexion du personnel")
        term.write(b"agent\rmauvais mot de passe\r")
        term.wait_for("incorrect")
    finally:
        term.close()
    assert login_details() == ["mot de passe incorrect (depuis 127.0.0.9)"]


def test_unlock_and_enable_from_the_cli(sqlite_url: str) -> None:
    school_and_agent(must_change=False)
    for _ in range(5):
        with pytest.raises(Refused):
            staff_login.authenticate("agent", "mauvais", settings=FAST_SETTINGS)
    assert Staff.get(Staff.login == "agent").locked_until is not None
    cli = Cli(sqlite_url)
    unlocked = cli("staff", "unlock", "agent")
    assert unlocked.code == 0 and "déverrouillé" in unlocked.out
    account = Staff.get(Staff.login == "agent")
    assert account.locked_until is None and account.failed_attempts == 0
    assert staff_login.authenticate("agent", GIVEN, settings=FAST_SETTINGS).login == "agent"
    assert cli("staff", "disable", "agent").code == 0
    with pytest.raises(Refused):
        staff_login.authenticate("agent", GIVEN, settings=FAST_SETTINGS)
    enabled = cli("staff", "enable", "agent")
    assert enabled.code == 0 and "réactivé" in enabled.out
    assert staff_login.authenticate("agent", GIVEN, settings=FAST_SETTINGS).login == "agent"
    unknown = cli("staff", "unlock", "personne")
    assert unknown.code == 1 and "inconnu" in unknown.err
    assert cli("staff", "enable", "personne").code == 1
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert "staff.unlock" in actions and "staff.enable" in actions
    with pytest.raises(BadInput):
        own_password.change_own_password(
            Actor("agent", school_uai=UAI), GIVEN, "court", settings=FAST_SETTINGS
        )


# --- the exam manager locked per address -----------------------------------------------


def manager() -> None:
    staff.add_staff(
        operator(),
        "chef",
        GIVEN,
        None,
        role=ROLE_MANAGER,
        settings=FAST_SETTINGS,
        must_change=False,
    )


@pytest.mark.parametrize("mode", ["per_address", "global"])
def test_an_insider_elsewhere_cannot_lock_the_manager_out(db_url: str, mode: str) -> None:
    manager()
    extra = {"CYCLADES_MANAGER_LOCKOUT": mode}
    insider = [attempt_from(db_url, "127.0.0.66", "chef", f"mauvais {i}", extra) for i in range(11)]
    assert [verdict(p) for p in insider] == ["REFUSED"] * 11
    details = login_details()
    # The atomic slots hold per address too: at most five passwords evaluated.
    assert len([d for d in details if d.startswith("mot de passe incorrect")]) == 5
    assert len([d for d in details if d.startswith("compte verrouillé")]) == 6
    # The manager, from another address, at the same time as more insider attempts.
    more = [attempt_from(db_url, "127.0.0.66", "chef", GIVEN, extra) for _ in range(3)]
    mine = attempt_from(db_url, "127.0.0.5", "chef", GIVEN, extra)
    assert [verdict(p) for p in more] == ["REFUSED"] * 3
    assert verdict(mine) == ("OK" if mode == "per_address" else "REFUSED")
    if mode == "per_address":
        assert Staff.get(Staff.login == "chef").locked_until is None
        lock = StaffAddressLock.get(StaffAddressLock.address == "127.0.0.66")
        assert lock.locked_until is not None and lock.failed_attempts == 5
