"""The accounts work where candidates log in: a real OpenLDAP slapd (sync and LDIF), Apache's
htpasswd, and the read-only SQL view read by PHP's password_verify. Passwords are read back
from the slip PDFs, never taken from the code that made them."""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import peewee
import psycopg2
import pytest

from cyclades_tui.pdf.readback import read_credentials
from cyclades_tui.services import account_generation, directory, documents
from cyclades_tui.services.actor import operator
from cyclades_tui.services.errors import Refused
from cyclades_tui.settings import load_settings
from cyclades_tui.store.database import parse_url
from cyclades_tui.store.models import Account, AuditEvent, DirectorySync
from tests.helpers import FAST_SETTINGS, Cli, add_school, bea, school_with_pupils
from tests.slapd_server import Slapd, running_slapd
from tests.tcp_proxy import TcpProxy

UAI = "0392689L"


@pytest.fixture
def slapd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Slapd]:
    """A private slapd with the ppolicy overlay; cyclades-tui's ldap_* settings point at it."""
    with running_slapd(tmp_path, ppolicy=True) as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("CYCLADES_LDAP_PWDRESET", "true")
        yield server


def generated(cli: Cli, tmp_path: Path, count: int = 5) -> dict[str, str]:
    """``count`` pupils with accounts; login -> password read back from the slip PDF."""
    school_with_pupils(UAI, count)
    out = tmp_path / "slips"
    result = cli("accounts", "generate", "--school", UAI, "--out", str(out), "--json")
    assert result.code == 0, result.err
    pdf = Path(json.loads(result.out)["files"][0]).read_bytes()
    pairs = dict(read_credentials(pdf))
    assert len(pairs) == count
    return pairs


def dn(server: Slapd, login: str) -> str:
    return f"uid={login},ou={UAI},{server.suffix}"


def entry(server: Slapd, login: str) -> str:
    found = server.admin(
        "ldapsearch",
        "-LLL",
        "-o",
        "ldif-wrap=no",
        "-b",
        dn(server, login),
        "-s",
        "base",
        "*",
        "pwdReset",
    )
    assert found.returncode == 0, found.stderr
    return found.stdout


def test_sync_regenerate_candidate_change_and_no_change(
    cli: Cli, slapd: Slapd, tmp_path: Path
) -> None:
    passwords = generated(cli, tmp_path)
    first = cli("accounts", "ldap-sync", "--school", UAI)
    assert first.code == 0, first.err
    assert "5 compte(s) créé(s)" in first.out and "1 ou créée(s)" in first.out
    for login, password in passwords.items():
        assert slapd.whoami(dn(slapd, login), password), login
        assert not slapd.whoami(dn(slapd, login), password + "x")
    login, password = sorted(passwords.items())[0]
    shown = entry(slapd, login)
    account = Account.get(Account.login == login)
    assert f"employeeNumber: {account.candidate.ine}" in shown
    assert "objectClass: inetOrgPerson" in shown and "pwdReset: TRUE" in shown
    assert all(re.search(rf"^{name}::? \S", shown, re.M) for name in ("sn", "givenName", "cn"))

    second = cli("accounts", "ldap-sync", "--school", UAI)
    assert second.code == 0 and "0 modification" in second.out, second.out

    # « Regénérer » here: the next sync replaces that one hash, and only it.
    regenerated = cli(
        "accounts",
        "regenerate",
        "--school",
        UAI,
        "--ine",
        account.candidate.ine,
        "--out",
        str(tmp_path / "regen"),
        "--json",
    )
    assert regenerated.code == 0, regenerated.err
    pdf = Path(json.loads(regenerated.out)["files"][0]).read_bytes()
    [(_, new_password)] = read_credentials(pdf)
    third = cli("accounts", "ldap-sync", "--school", UAI)
    assert "1 modification(s)" in third.out and "1 mot(s) de passe remplacé(s)" in third.out
    assert not slapd.whoami(dn(slapd, login), password)
    assert slapd.whoami(dn(slapd, login), new_password)

    # A candidate changes their password on the site: never put back, no longer to change.
    other, other_password = sorted(passwords.items())[1]
    changed = subprocess.run(
        [
            "ldappasswd",
            "-x",
            "-H",
            slapd.url,
            "-D",
            dn(slapd, other),
            "-w",
            other_password,
            "-s",
            "Mon-nouveau-mot-2026",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert changed.returncode == 0, changed.stderr
    assert "pwdReset" not in entry(slapd, other)  # the ppolicy overlay cleared it
    fourth = cli("accounts", "ldap-sync", "--school", UAI)
    assert "0 modification" in fourth.out and "1 mot(s) de passe changé(s)" in fourth.out
    assert slapd.whoami(dn(slapd, other), "Mon-nouveau-mot-2026")
    assert not slapd.whoami(dn(slapd, other), other_password)
    assert Account.get(Account.login == other).provisional is False
    assert Account.get(Account.login == login).provisional is True
    fifth = cli("accounts", "ldap-sync", "--all")
    assert "0 modification" in fifth.out and "changé" not in fifth.out
    assert slapd.whoami(dn(slapd, other), "Mon-nouveau-mot-2026")
    events = AuditEvent.select().where(AuditEvent.action == "accounts.ldap-sync").count()
    assert events == 5
    assert all(p not in e.detail for e in AuditEvent.select() for p in passwords.values())


def test_first_login_change_with_pwdmustchange_policy(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    passwords = generated(cli, tmp_path, count=2)
    with running_slapd(tmp_path, must_change=True) as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("CYCLADES_LDAP_PWDRESET", "true")
        assert cli("accounts", "ldap-sync", "--school", UAI).code == 0
        login, password = sorted(passwords.items())[0]
        me = dn(server, login)

        def read_own_entry(secret: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [
                    "ldapsearch",
                    "-x",
                    "-H",
                    server.url,
                    "-D",
                    me,
                    "-w",
                    secret,
                    "-b",
                    me,
                    "-s",
                    "base",
                    "uid",
                ],
                capture_output=True,
                text=True,
                timeout=30,
            )

        # pwdReset + pwdMustChange: the provisional password only lets the candidate change it.
        restricted = read_own_entry(password)
        assert restricted.returncode == 50 and "modify password" in restricted.stdout
        assert (
            subprocess.run(
                [
                    "ldappasswd",
                    "-x",
                    "-H",
                    server.url,
                    "-D",
                    me,
                    "-w",
                    password,
                    "-s",
                    "Premier-choix-2026",
                ],
                capture_output=True,
                timeout=30,
            ).returncode
            == 0
        )
        assert read_own_entry("Premier-choix-2026").returncode == 0
        synced = cli("accounts", "ldap-sync", "--school", UAI)
        assert "0 modification" in synced.out and "1 mot(s) de passe changé(s)" in synced.out
        view = Account._meta.database.execute_sql(
            "SELECT login, must_change FROM candidate_accounts ORDER BY login"
        ).fetchall()
        assert [(row[0], bool(row[1])) for row in view] == [
            (login, False),
            (sorted(passwords)[1], True),
        ]


def test_password_changed_here_reaches_the_directory(
    cli: Cli, slapd: Slapd, tmp_path: Path
) -> None:
    passwords = generated(cli, tmp_path, count=2)
    assert cli("accounts", "ldap-sync", "--school", UAI).code == 0
    login, password = sorted(passwords.items())[0]
    assert (
        cli("accounts", "change-password", login, stdin=f"{password}\nChoisi-ici-2026\n").code == 0
    )
    synced = cli("accounts", "ldap-sync", "--school", UAI)
    assert "1 mot(s) de passe remplacé(s)" in synced.out, synced.out
    assert slapd.whoami(dn(slapd, login), "Choisi-ici-2026")
    assert not slapd.whoami(dn(slapd, login), password)
    assert "pwdReset" not in entry(slapd, login)  # no longer provisional
    assert "pwdReset: TRUE" in entry(slapd, sorted(passwords)[1])


def test_dry_run_writes_nothing_and_settings_are_required(
    cli: Cli, slapd: Slapd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    passwords = generated(cli, tmp_path, count=3)
    dry = cli("accounts", "ldap-sync", "--school", UAI, "--dry-run")
    assert dry.code == 0 and dry.out.startswith("Vérification seule : 4 modification(s)")
    assert not slapd.whoami(dn(slapd, sorted(passwords)[0]), passwords[sorted(passwords)[0]])
    assert DirectorySync.select().count() == 0
    monkeypatch.setenv("CYCLADES_LDAP_BIND_PASSWORD_FILE", str(tmp_path / "absent"))
    bad = cli("accounts", "ldap-sync", "--school", UAI)
    assert bad.code == 2 and "ldap_bind_password_file" in bad.err
    assert "introuvable" in bad.err
    wrong = tmp_path / "wrong-password"
    wrong.write_text("pas-le-bon\n")
    monkeypatch.setenv("CYCLADES_LDAP_BIND_PASSWORD_FILE", str(wrong))
    refused = cli("accounts", "ldap-sync", "--school", UAI)
    assert refused.code == 1 and "mot de passe de l'annuaire refusé" in refused.err
    assert "pas-le-bon" not in refused.err + refused.out
    shown = cli("config")
    assert "pas-le-bon" not in shown.out and str(wrong) in shown.out
    monkeypatch.setenv("CYCLADES_LDAP_BIND_PASSWORD_FILE", str(slapd.password_file))
    monkeypatch.setenv("CYCLADES_LDAP_BASE_DN", f"ou=absente,{slapd.suffix}")
    no_base = cli("accounts", "ldap-sync", "--school", UAI)
    assert no_base.code == 1 and "ldap_base_dn n'existe pas" in no_base.err, no_base.err
    assert "relancez" in no_base.err and DirectorySync.select().count() == 0
    monkeypatch.delenv("CYCLADES_LDAP_URL")
    unset = cli("accounts", "ldap-sync", "--school", UAI)
    assert unset.code == 2 and "ldap_url" in unset.err


def test_connection_lost_mid_sync_then_rerun_finishes(db_url: str, tmp_path: Path) -> None:
    school_with_pupils(UAI, 12)
    result = account_generation.generate(operator(), UAI, settings=FAST_SETTINGS)
    _, pdf = documents.fetch(operator(), result.documents[0].id)
    passwords = dict(read_credentials(pdf))
    with running_slapd(tmp_path) as server:
        proxy = TcpProxy(("127.0.0.1", int(server.url.rsplit(":", 1)[1].strip("/"))))
        port = proxy.start()
        settings = load_settings(
            {**server.env(), "CYCLADES_LDAP_URL": f"ldap://127.0.0.1:{port}/"}, db_override=db_url
        )

        def cut_after_five(written: int) -> None:
            if written == 5:
                proxy.cut()

        with pytest.raises(Refused, match=r"connexion à l'annuaire perdue.*relancez"):
            directory.ldap_sync(operator(), settings, UAI, on_write=cut_after_five)
        # What the directory accepted is recorded: the ou and four accounts.
        assert DirectorySync.select().count() == 4
        proxy.restore()
        again = directory.ldap_sync(operator(), settings, UAI)
        assert again.created == 8 and again.replaced == 0
        for login, password in passwords.items():
            assert server.whoami(f"uid={login},ou={UAI},{server.suffix}", password), login
        assert directory.ldap_sync(operator(), settings, UAI).modifications == 0
        failed = AuditEvent.get(
            (AuditEvent.action == "accounts.ldap-sync") & (AuditEvent.success == False)  # noqa: E712
        )
        assert "perdue" in failed.detail
        proxy.cut()


def test_ldif_loads_with_ldapadd_and_binds(cli: Cli, slapd: Slapd, tmp_path: Path) -> None:
    passwords = generated(cli, tmp_path)
    path = tmp_path / "comptes.ldif"
    done = cli(
        "accounts",
        "export",
        "--format",
        "ldif",
        "--school",
        UAI,
        "--base-dn",
        slapd.suffix,
        str(path),
    )
    assert done.code == 0, done.err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    added = slapd.admin("ldapadd", "-f", str(path))
    assert added.returncode == 0, added.stderr
    for login, password in passwords.items():
        assert slapd.whoami(dn(slapd, login), password), login
        assert not slapd.whoami(dn(slapd, login), "Mauvais-42!")
        assert "pwdReset: TRUE" in entry(slapd, login)
    before = path.read_bytes()
    again = cli(
        "accounts",
        "export",
        "--format",
        "ldif",
        "--school",
        UAI,
        "--base-dn",
        slapd.suffix,
        str(path),
    )
    assert again.code == 2 and "existe déjà" in again.err
    assert path.read_bytes() == before
    # A sync after loading the LDIF finds every entry right and writes nothing.
    synced = cli("accounts", "ldap-sync", "--school", UAI)
    assert "0 modification" in synced.out, synced.out
    missing = cli(
        "accounts", "export", "--format", "ldif", "--school", UAI, str(tmp_path / "b.ldif")
    )
    assert missing.code == 2 and "--base-dn" in missing.err


def test_ldif_encodes_accented_names(cli: Cli, slapd: Slapd, tmp_path: Path) -> None:
    add_school(cli, UAI)
    csv = tmp_path / "accents.csv"
    csv.write_text(
        "INE;Nom;Nom d'usage;Prénom;Autres prénoms;Date de naissance;Division;"
        f"Examen;Etat\n{bea(77)};Élodie-Gaëlle;;Zoé;;02/02/2010;3A;DNB;Inscrit\n"
    )
    assert cli("import", str(csv), "--school", UAI).code == 0
    out = tmp_path / "slips"
    result = json.loads(
        cli("accounts", "generate", "--school", UAI, "--out", str(out), "--json").out
    )
    [(login, password)] = read_credentials(Path(result["files"][0]).read_bytes())
    path = tmp_path / "accents.ldif"
    assert (
        cli(
            "accounts",
            "export",
            "--format",
            "ldif",
            "--school",
            UAI,
            "--base-dn",
            slapd.suffix,
            str(path),
        ).code
        == 0
    )
    assert slapd.admin("ldapadd", "-f", str(path)).returncode == 0
    assert slapd.whoami(dn(slapd, login), password)
    found = slapd.admin(
        "ldapsearch",
        "-LLL",
        "-o",
        "ldif-wrap=no",
        "-b",
        dn(slapd, login),
        "-s",
        "base",
        "sn",
        "givenName",
    )
    # Non-ASCII values travel in base64 and come back as stored.
    sn = next(line for line in found.stdout.splitlines() if line.startswith("sn:: "))
    stored = Account.get(Account.login == login).candidate.family_name
    assert not stored.isascii()
    assert base64.b64decode(sn[5:]).decode("utf-8") == stored


def test_htpasswd_accepts_every_slip_password(cli: Cli, tmp_path: Path) -> None:
    passwords = generated(cli, tmp_path)
    path = tmp_path / "htpasswd"
    done = cli("accounts", "export", "--format", "htpasswd", "--school", UAI, str(path))
    assert done.code == 0, done.err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for login, password in passwords.items():
        ok = subprocess.run(
            ["htpasswd", "-vb", str(path), login, password], capture_output=True, timeout=30
        )
        assert ok.returncode == 0, (login, ok.stderr)
        wrong = subprocess.run(
            ["htpasswd", "-vb", str(path), login, password + "x"], capture_output=True, timeout=30
        )
        assert wrong.returncode != 0
    assert cli("accounts", "export", "--format", "htpasswd", "--school", UAI, str(path)).code == 2


GUIDE = Path(__file__).resolve().parents[1] / "docs" / "site-candidat.md"


def readme_block(language: str, containing: str) -> str:
    """The fenced ``language`` block of docs/site-candidat.md that contains ``containing``."""
    text = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(rf"```{language}\n(.*?)```", text, re.S)
    found = [block for block in blocks if containing in block]
    assert len(found) == 1, f"docs/site-candidat.md : un bloc {language} avec {containing} attendu"
    return found[0]


def test_readme_ldap_settings_are_accepted(tmp_path: Path) -> None:
    secret = tmp_path / "ldap.secret"
    secret.write_text("mot-de-passe\n")
    config = tmp_path / "config.toml"
    config.write_text(
        readme_block("toml", "ldap_bind_password_file").replace(
            "/etc/cyclades-tui/ldap.secret", str(secret)
        )
    )
    settings = load_settings({"CYCLADES_CONFIG": str(config)})
    assert settings.ldap_url == "ldap://annuaire.lycee.fr/" and settings.ldap_pwdreset
    assert settings.ldap_base_dn == "ou=candidats,dc=lycee,dc=fr"


def php_verifies(password: str, hashed: str) -> bool:
    """PHP's own password_verify (what Moodle's « External database » authentication runs)."""
    done = subprocess.run(
        ["php", "-r", "exit(password_verify($argv[1], $argv[2]) ? 0 : 1);", "--", password, hashed],
        capture_output=True,
        timeout=30,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.returncode == 0


def test_view_read_by_a_read_only_reader_and_password_verify(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    passwords = generated(cli, tmp_path)
    login, password = sorted(passwords.items())[0]
    changed = sorted(passwords)[1]
    assert (
        cli(
            "accounts",
            "change-password",
            changed,
            stdin=f"{passwords[changed]}\nChoisi-par-moi-2026\n",
        ).code
        == 0
    )
    query = (
        "SELECT login, password_hash, must_change, uai, ine, last_name, first_name, "
        "created_at FROM candidate_accounts ORDER BY login"
    )
    info = parse_url(db_url)
    if info.kind == "sqlite":
        with sqlite3.connect(f"file:{info.path}?mode=ro", uri=True) as reader:
            rows = reader.execute(query).fetchall()
        denied = None
    else:
        rows, denied = _read_as_read_only_role(info.schema or "", query)
        assert "permission denied" in denied
    assert len(rows) == 5
    by_login = {row[0]: row for row in rows}
    row = by_login[login]
    assert row[3] == UAI and len(row[4]) == 11 and row[5] and row[6] and row[7]
    assert bool(row[2]) is True and bool(by_login[changed][2]) is False
    assert php_verifies(password, row[1])
    assert not php_verifies(password + "x", row[1])
    assert php_verifies("Choisi-par-moi-2026", by_login[changed][1])


def _read_as_read_only_role(schema: str, query: str) -> tuple[list[tuple[object, ...]], str]:
    """Create a role allowed to read the view only (docs/site-candidat.md's statements), read as it,
    drop it."""
    role = f"lecture_{schema}"
    admin = peewee.PostgresqlDatabase("test", user="postgres", host="127.0.0.1", port=5432)
    # The statements of docs/site-candidat.md, as written, with this test's role and schema.
    statements = (
        readme_block("sql", "candidate_accounts")
        .replace("cyclades_lecture", role)
        .replace("public", schema)
    )
    assert statements.count(role) == 3
    try:
        for statement in statements.split(";"):
            if statement.strip():
                admin.execute_sql(statement)
        reader = psycopg2.connect(
            dbname="test",
            user=role,
            host="127.0.0.1",
            port=5432,
            options=f"-c search_path={schema}",
        )
        try:
            with reader.cursor() as cursor:
                cursor.execute(query)
                rows = cursor.fetchall()
            reader.rollback()
            try:
                with reader.cursor() as cursor:
                    cursor.execute("SELECT login, password_hash FROM account")
                denied = "lisible"
            except psycopg2.errors.InsufficientPrivilege as error:
                denied = str(error)
        finally:
            reader.close()
        return rows, denied
    finally:
        admin.execute_sql(f'DROP OWNED BY "{role}"')
        admin.execute_sql(f'DROP ROLE "{role}"')
        admin.close()
