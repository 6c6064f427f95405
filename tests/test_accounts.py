"""The account engine end to end through the CLI, read back from the PDFs with pdftotext."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cyclades_tui.domain.passwords import hash_cost
from cyclades_tui.store.models import Account, AuditEvent, Document, Slip
from tests.helpers import (
    Cli,
    add_school,
    bea,
    csv_bytes,
    import_sample,
    pdf_text,
    sample_uai,
    slips_in,
)


def test_generate_then_log_in_with_every_password_read_back(cli: Cli, tmp_path: Path) -> None:
    uai = import_sample(cli)
    out = tmp_path / "out"
    result = cli("accounts", "generate", "--school", uai, "--out", str(out), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["created"] == 30
    assert [d["layout"] for d in data["documents"]] == [1, 2]
    assert all(d["slips"] == 30 for d in data["documents"])
    assert len(data["files"]) == 2
    one_per_page = slips_in(pdf_text(Path(data["files"][0])))
    two_per_page = slips_in(pdf_text(Path(data["files"][1])))
    assert len(one_per_page) == 30
    assert sorted(one_per_page) == sorted(two_per_page)
    logins = [login for login, _ in one_per_page]
    assert len(set(logins)) == 30
    # The two Lucas Martin are homonyms.
    assert {"lucas.martin", "lucas.martin2"} <= set(logins)
    assert "thi-minh.nguyen" in logins and "mathis.dalmeida" in logins
    # Not eligible: Annulé, En cours, Pré-inscrit for DNB and BGT.
    assert not {"manon.simon", "louis.durand", "lea.thomas", "adam.fournier"} & set(logins)
    for login, password in one_per_page:
        verdict = cli("accounts", "verify", login, stdin=password + "\n")
        assert verdict.code == 0, (login, password, verdict.err)
        assert "doit être changé" in verdict.out
    assert cli("accounts", "verify", logins[0], stdin="wrong-password\n").code == 1
    assert all(Path(f).stat().st_mode & 0o077 == 0 for f in data["files"])
    # Only bcrypt hashes are stored: no password appears in any column of the accounts.
    stored = " ".join(a.password_hash for a in Account.select())
    assert all(password not in stored for _, password in one_per_page)
    assert Slip.select().count() == 60


def test_second_run_creates_nothing_then_exactly_one(cli: Cli, tmp_path: Path) -> None:
    uai = import_sample(cli)
    assert cli("accounts", "generate", "--school", uai).code == 0
    again = cli("accounts", "generate", "--school", uai, "--json")
    assert json.loads(again.out)["created"] == 0
    plain = cli("accounts", "generate", "--school", uai)
    assert "Tous les comptes de vos candidats ont été générés." in plain.out
    assert Document.select().count() == 2
    path = tmp_path / "late.csv"
    path.write_bytes(csv_bytes(f"{bea(555)};Aubin;;Antoine;;02/02/2009;3EB;DNB;Inscrit"))
    assert cli("import", str(path), "--school", uai).code == 0
    late = json.loads(
        cli("accounts", "generate", "--school", uai, "--json", "--out", str(tmp_path)).out
    )
    assert late["created"] == 1
    assert slips_in(pdf_text(Path(late["files"][0])))[0][0] == "antoine.aubin"
    status = json.loads(cli("accounts", "status", "--school", uai, "--json").out)
    assert status["without_account"] == 0 and status["with_account"] == 31


def test_regenerate_old_password_fails_new_one_works(cli: Cli, tmp_path: Path) -> None:
    uai = import_sample(cli)
    first = json.loads(
        cli("accounts", "generate", "--school", uai, "--json", "--out", str(tmp_path / "a")).out
    )
    slips = dict(slips_in(pdf_text(Path(first["files"][0]))))
    old = slips["hugo.dubois"]
    result = cli(
        "accounts",
        "regenerate",
        "--school",
        uai,
        "--ine",
        "0228191520L",
        "--state",
        "inscrit",
        "--out",
        str(tmp_path / "b"),
        "--json",
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["created"] == 1 and data["documents"][0]["layout"] == 1
    assert data["documents"][0]["title"] == "Papillon de connexion"
    ((login, new),) = slips_in(pdf_text(Path(data["files"][0])))
    assert login == "hugo.dubois" and new != old
    assert cli("accounts", "verify", login, stdin=old + "\n").code == 1
    assert cli("accounts", "verify", login, stdin=new + "\n").code == 0
    # The mass document's slip for this pupil is no longer current.
    account = Account.get(Account.login == login)
    versions = sorted(s.password_version for s in Slip.select().where(Slip.account == account))
    assert versions == [1, 1, 2] and account.password_version == 2


def test_regenerate_refusals(cli: Cli) -> None:
    uai = import_sample(cli)
    no_account = cli("accounts", "regenerate", "--school", uai, "--ine", "0228191520L")
    assert no_account.code == 1 and "n'a pas encore de compte" in no_account.err
    assert cli("accounts", "generate", "--school", uai).code == 0
    wrong_state = cli(
        "accounts", "regenerate", "--school", uai, "--ine", "0228191520L", "--state", "pre-inscrit"
    )
    assert wrong_state.code == 1 and "Pré-inscrit" in wrong_state.err
    unknown = cli("accounts", "regenerate", "--school", uai, "--ine", bea(99))
    assert unknown.code == 1 and "Aucun candidat" in unknown.err
    bad = cli("accounts", "regenerate", "--school", uai, "--ine", "123")
    assert bad.code == 2


def test_service_not_positioned_refuses_every_account_activity(cli: Cli) -> None:
    uai = import_sample(cli)
    assert cli("school", "service", uai, "off").code == 0
    for args in (
        ("accounts", "generate", "--school", uai),
        ("accounts", "regenerate", "--school", uai, "--ine", "0228191520L"),
    ):
        result = cli(*args)
        assert result.code == 1 and "n'est pas positionné" in result.err
    assert Account.select().count() == 0


def test_change_password_and_rehash(cli: Cli, tmp_path: Path) -> None:
    uai = import_sample(cli)
    data = json.loads(
        cli("accounts", "generate", "--school", uai, "--json", "--out", str(tmp_path)).out
    )
    login, password = slips_in(pdf_text(Path(data["files"][0])))[0]
    short = cli("accounts", "change-password", login, stdin=f"{password}\nabc\n")
    assert short.code == 2
    wrong = cli("accounts", "change-password", login, stdin="nope\nUn mot de passe sûr\n")
    assert wrong.code == 1
    done = cli("accounts", "change-password", login, stdin=f"{password}\nUn mot de passe sûr\n")
    assert done.code == 0, done.err
    verdict = cli("accounts", "verify", login, stdin="Un mot de passe sûr\n")
    assert verdict.code == 0 and "doit être changé" not in verdict.out
    assert cli("accounts", "verify", login, stdin=password + "\n").code == 1


def test_cheaper_hash_is_upgraded_on_successful_login(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uai = import_sample(cli)
    data = json.loads(
        cli("accounts", "generate", "--school", uai, "--json", "--out", str(tmp_path)).out
    )
    login, password = slips_in(pdf_text(Path(data["files"][0])))[0]
    assert hash_cost(Account.get(Account.login == login).password_hash) == 4
    monkeypatch.setenv("CYCLADES_PROVISIONAL_COST", "5")
    assert cli("accounts", "verify", login, stdin=password + "\n").code == 0
    assert hash_cost(Account.get(Account.login == login).password_hash) == 5


def test_documents_list_and_export(cli: Cli, tmp_path: Path) -> None:
    uai = import_sample(cli)
    assert cli("accounts", "generate", "--school", uai).code == 0
    listing = json.loads(cli("documents", "list", "--school", uai, "--json").out)
    assert len(listing) == 2
    assert set(listing[0]) == {
        "id",
        "title",
        "layout",
        "slips",
        "size",
        "type",
        "created_at",
        "created_by",
    }
    assert all(d["type"] == "PDF" and d["slips"] == 30 for d in listing)
    target = tmp_path / "doc.pdf"
    result = cli("documents", "export", str(listing[0]["id"]), str(target))
    assert result.code == 0
    assert target.stat().st_size == listing[0]["size"]
    assert len(slips_in(pdf_text(target))) == 30
    assert cli("documents", "export", "9999", str(target)).code == 1
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert actions[-2:] == ["accounts.generate", "document.export"]


def test_default_costs_are_10_and_12(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CYCLADES_PROVISIONAL_COST")
    monkeypatch.delenv("CYCLADES_CHOSEN_COST")
    uai = sample_uai()
    add_school(cli, uai)
    path = tmp_path / "one.csv"
    path.write_bytes(csv_bytes(f"{bea(77)};Roux;;Camille;;09/11/2010;3A;DNB;Inscrit"))
    assert cli("import", str(path), "--school", uai).code == 0
    data = json.loads(
        cli("accounts", "generate", "--school", uai, "--json", "--out", str(tmp_path)).out
    )
    ((login, password),) = slips_in(pdf_text(Path(data["files"][0])))
    assert hash_cost(Account.get(Account.login == login).password_hash) == 10
    new = "Choisi par la candidate"
    assert cli("accounts", "change-password", login, stdin=f"{password}\n{new}\n").code == 0
    assert hash_cost(Account.get(Account.login == login).password_hash) == 12


def test_installed_console_script_runs(db_url: str) -> None:
    script = Path(sys.executable).parent / "cyclades-tui"
    assert script.exists(), "cyclades-tui is not installed in this environment"
    done = subprocess.run(
        [str(script), "--db", db_url, "school", "list"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    bad = subprocess.run(
        [str(script), "school", "add", "0392689M", "X", "--db", db_url],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "lettre de contrôle" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_bad_ine_is_bad_input_before_any_refusal(cli: Cli) -> None:
    add_school(cli, "0392689L")
    assert cli("school", "service", "0392689L", "off").code == 0
    result = cli("accounts", "regenerate", "--school", "0392689L", "--ine", "XYZ")
    assert result.code == 2


def test_unusable_out_folder_stops_before_generating(cli: Cli, tmp_path: Path) -> None:
    uai = import_sample(cli)
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    result = cli("accounts", "generate", "--school", uai, "--out", str(blocker / "sous"))
    assert result.code == 2
    assert Account.select().count() == 0
