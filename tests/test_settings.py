"""Settings: defaults, the TOML file, the environment and --db, in that order; every bad
value stops the command at start with exit status 2, naming the setting and its source."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cyclades_tui.cli import main
from cyclades_tui.services import account_generation
from cyclades_tui.services.actor import operator
from cyclades_tui.settings import (
    NAMES,
    SOURCE_DEFAULT,
    load_settings,
    load_settings_with_sources,
    mask_url,
)
from cyclades_tui.store.database import demo_url
from cyclades_tui.store.models import Account
from tests.helpers import FAST_SETTINGS, Cli, school_with_pupils


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No CYCLADES_* variable but the ones a test sets."""
    for name in NAMES:
        monkeypatch.delenv(f"CYCLADES_{name.upper()}", raising=False)
    return monkeypatch


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_nothing_is_set(tmp_path: Path) -> None:
    loaded = load_settings_with_sources({"CYCLADES_CONFIG": os.devnull})
    assert set(loaded.sources.values()) == {SOURCE_DEFAULT}
    s = loaded.settings
    assert (s.provisional_cost, s.chosen_cost, s.lockout_attempts, s.lockout_minutes) == (
        10,
        12,
        5,
        15,
    )
    assert (s.idle_logout_minutes, s.cursor_blink, s.sqlite_busy_ms) == (20, False, 15_000)
    assert s.db.startswith("sqlite:///") and s.db.endswith("cyclades.db")
    # The files folder is beside the database file.
    assert s.files is None
    assert s.files_root() == Path(s.db[len("sqlite:///") :]).parent / "fichiers"
    assert s.workers >= 1


def test_file_then_environment_then_command_line(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        """
# réglages du serveur
workers = 3
site_url = "https://exemple.fr/candidats/"
cursor_blink = true
db = "sqlite:////srv/cyclades/base.db"
idle_logout_minutes = 45
sqlite_busy_ms = 2000
""",
    )
    env = {"CYCLADES_CONFIG": str(config)}
    loaded = load_settings_with_sources(env)
    s = loaded.settings
    assert (s.workers, s.site_url, s.cursor_blink, s.idle_logout_minutes, s.sqlite_busy_ms) == (
        3,
        "https://exemple.fr/candidats/",
        True,
        45,
        2000,
    )
    assert s.files_root() == Path("/srv/cyclades/fichiers")  # beside the file's database
    assert loaded.sources["workers"] == f"fichier {config}"
    assert loaded.sources["provisional_cost"] == SOURCE_DEFAULT
    assert loaded.config_file == config

    env |= {
        "CYCLADES_WORKERS": "5",
        "CYCLADES_CURSOR_BLINK": "non",
        "CYCLADES_DB": "sqlite:////srv/autre/base.db",
        "CYCLADES_FILES": "/srv/depots",
    }
    loaded = load_settings_with_sources(env)
    assert (loaded.settings.workers, loaded.settings.cursor_blink) == (5, False)
    assert loaded.settings.files == Path("/srv/depots")
    assert loaded.sources["workers"] == "environnement CYCLADES_WORKERS"
    assert loaded.sources["site_url"] == f"fichier {config}"
    assert loaded.settings.db == "sqlite:////srv/autre/base.db"

    loaded = load_settings_with_sources(env, db_override=f"sqlite:///{tmp_path / 'x.db'}")
    assert loaded.settings.db == f"sqlite:///{tmp_path / 'x.db'}"
    assert loaded.sources["db"] == "ligne de commande --db"


def test_system_file_is_read_only_when_present(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import cyclades_tui.settings as settings_module

    system = tmp_path / "etc-config.toml"
    monkeypatch.setattr(settings_module, "SYSTEM_CONFIG", system)
    assert load_settings_with_sources({}).config_file is None
    system.write_text("lockout_attempts = 7\n", encoding="utf-8")
    loaded = load_settings_with_sources({})
    assert loaded.settings.lockout_attempts == 7
    assert loaded.sources["lockout_attempts"] == f"fichier {system}"
    # $CYCLADES_CONFIG wins over the system file.
    other = write_config(tmp_path, "lockout_attempts = 9\n")
    assert load_settings({"CYCLADES_CONFIG": str(other)}).lockout_attempts == 9


BAD_ENV = [
    ("workers", "deux", "n'est pas un nombre entier"),
    ("workers", "0", "entre 1 et"),
    ("provisional_cost", "3", "entre 4 et 31"),
    ("chosen_cost", "32", "entre 4 et 31"),
    ("lockout_attempts", "-1", "entre 1 et"),
    ("lockout_minutes", "1.5", "n'est pas un nombre entier"),
    ("site_url", "ftp://exemple.fr/", "http:// ou https://"),
    ("site_url", "exemple.fr", "http:// ou https://"),
    ("db", "mysql://localhost/base", "non reconnue"),
    ("sqlite_busy_ms", "-5", "entre 0 et"),
    ("files", "relatif/dossier", "chemin absolu"),
    ("idle_logout_minutes", "0", "entre 1 et"),
    ("cursor_blink", "peut-être", "true ou false"),
]


@pytest.mark.parametrize(("name", "value", "reason"), BAD_ENV)
def test_bad_environment_value_exits_2_naming_it(
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    value: str,
    reason: str,
) -> None:
    clean_env.setenv(f"CYCLADES_{name.upper()}", value)
    code, out, err = run_main(capsys, "school", "list", "--db", f"sqlite:///{tmp_path}/b.db")
    assert code == 2 and out == ""
    assert f"Réglage {name} invalide (environnement CYCLADES_{name.upper()})" in err
    assert reason in err
    assert "Traceback" not in err
    # Checked before anything is opened.
    assert not (tmp_path / "b.db").exists()


BAD_FILE = [
    ('workers = "4"', "Réglage workers invalide", "un nombre entier (sans guillemets)"),
    ("lockout_minutes = true", "Réglage lockout_minutes invalide", "n'est pas un nombre"),
    ("provisional_cost = 40", "Réglage provisional_cost invalide", "entre 4 et 31"),
    ("cursor_blink = 1", "Réglage cursor_blink invalide", "true ou false"),
    ('site_url = ""', "Réglage site_url invalide", "valeur vide"),
    ("worker = 4", "réglage « worker » inconnu", "réglages possibles"),
    ("[cyclades]\nworkers = 4", "réglage « cyclades » inconnu", "réglages possibles"),
    ("workers = 4\nsite_url = https://x", ", ligne 2, colonne", "syntaxe TOML invalide"),
]


@pytest.mark.parametrize(("text", "what", "reason"), BAD_FILE)
def test_bad_file_value_exits_2_naming_it_and_the_file(
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    text: str,
    what: str,
    reason: str,
) -> None:
    config = write_config(tmp_path, text + "\n")
    clean_env.setenv("CYCLADES_CONFIG", str(config))
    code, out, err = run_main(capsys, "config")
    assert code == 2 and out == ""
    assert what in err and reason in err and str(config) in err


def test_unreadable_configuration_file_exits_2(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for path, reason in [
        (tmp_path / "absent.toml", "fichier introuvable"),
        (tmp_path, "c'est un dossier"),
    ]:
        clean_env.setenv("CYCLADES_CONFIG", str(path))
        code, _, err = run_main(capsys, "config")
        assert code == 2
        assert f"Fichier de configuration {path} illisible : {reason}" in err
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes("workers = 2\n# réglé\n".encode("latin-1"))
    clean_env.setenv("CYCLADES_CONFIG", str(latin1))
    code, _, err = run_main(capsys, "config")
    assert code == 2 and f"{latin1}, ligne 2 : texte non UTF-8" in err


def test_config_prints_every_setting_value_and_source(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = write_config(tmp_path, 'workers = 2\nsite_url = "https://exemple.fr/"\n')
    clean_env.setenv("CYCLADES_CONFIG", str(config))
    clean_env.setenv("CYCLADES_LOCKOUT_MINUTES", "30")
    clean_env.setenv("CYCLADES_DB", "postgresql://cyclades:s3cr%40t-tres-secret@db.lan:5433/cyc")
    code, out, err = run_main(capsys, "config")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"Fichier de configuration : {config}"
    table = {line.split()[0]: line for line in lines[1:]}
    assert set(table) == set(NAMES)
    assert table["workers"].split()[1:] == ["2", "fichier", str(config)]
    assert table["lockout_minutes"].split()[1:] == [
        "30",
        "environnement",
        "CYCLADES_LOCKOUT_MINUTES",
    ]
    assert table["chosen_cost"].split()[1:] == ["12", "défaut"]
    assert table["cursor_blink"].split()[1:] == ["false", "défaut"]
    assert table["db"].split()[1:] == [
        "postgresql://cyclades:***@db.lan:5433/cyc",
        "environnement",
        "CYCLADES_DB",
    ]
    assert "s3cr" not in out and "secret" not in out
    # --db counts too, and its password is masked as well.
    code, out, _ = run_main(capsys, "config", "--db", "postgresql://u:motdepasse@h/base")
    assert "postgresql://u:***@h/base" in out and "motdepasse" not in out
    assert "ligne de commande --db" in out


def test_a_bad_database_url_never_shows_its_password(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("CYCLADES_DB", "postgresql://u:motdepasse@h:5432")  # no database name
    code, _, err = run_main(capsys, "config")
    assert code == 2 and "Réglage db invalide (environnement CYCLADES_DB)" in err
    assert "motdepasse" not in err and "***" in err
    assert mask_url("sqlite:///tmp/x.db") == "sqlite:///tmp/x.db"
    assert mask_url("postgresql://u:pw@[::1]:5432/db?schema=s") == (
        "postgresql://u:***@[::1]:5432/db?schema=s"
    )


def test_services_never_read_the_environment(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # This used to raise SystemExit inside the generation worker and end the TUI.
    school_with_pupils("0392689L", 3)
    monkeypatch.setenv("CYCLADES_WORKERS", "deux")
    monkeypatch.setenv("CYCLADES_PROVISIONAL_COST", "99")
    result = account_generation.generate(operator(), "0392689L", settings=FAST_SETTINGS)
    assert result.created == 3


def test_the_file_reaches_the_services(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ForceCommand session has no environment: the costs come from the file."""
    from cyclades_tui.domain.passwords import hash_cost

    school_with_pupils("0392689L", 2)
    monkeypatch.delenv("CYCLADES_PROVISIONAL_COST")
    config = write_config(tmp_path, "provisional_cost = 5\n")
    monkeypatch.setenv("CYCLADES_CONFIG", str(config))
    assert cli("accounts", "generate", "--school", "0392689L").code == 0
    assert {hash_cost(a.password_hash) for a in Account.select()} == {5}


def test_demo_never_uses_the_configured_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CYCLADES_DB", "postgresql://prod@academie/cyclades")
    assert demo_url().startswith("sqlite:///") and demo_url().endswith("cyclades-demo.db")
    assert "academie" not in demo_url()
    assert os.environ["CYCLADES_DB"] not in demo_url()
