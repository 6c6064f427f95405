"""« Importer HORS BEE »: the sample file, encodings, faults, updates, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import (
    Cli,
    add_school,
    bea,
    csv_bytes,
    example,
    sample_uai,
)


def test_sample_file_imports(cli: Cli) -> None:
    uai = sample_uai()
    add_school(cli, uai)
    result = cli("import", str(example("candidats-exemple.csv")), "--school", uai)
    assert result.code == 0, result.err
    assert "34 ligne(s) : 34 ajoutée(s)" in result.out
    status = json.loads(cli("accounts", "status", "--school", uai, "--json").out)
    # 34 pupils: one « Annulé », one « En cours », two « Pré-inscrit » for DNB/BGT.
    assert status == {"school": uai, "eligible": 30, "with_account": 0, "without_account": 30}
    again = cli("import", str(example("candidats-exemple.csv")), "--school", uai)
    assert "0 ajoutée(s), 0 mise(s) à jour, 34 inchangée(s)" in again.out


def test_invalid_file_imports_nothing_and_names_each_line(cli: Cli, tmp_path: Path) -> None:
    uai = sample_uai()
    add_school(cli, uai)
    good = bea(1234567)
    bad_letter = good[:-1] + ("A" if good[-1] != "A" else "B")
    path = tmp_path / "eleves.csv"
    path.write_bytes(
        csv_bytes(
            f"{good};Martin;;Lucas;;06/01/2010;3A;DNB;Inscrit",
            f"{bad_letter};Petit;;Inès;;01/10/2008;3A;DNB;Inscrit",
            f"{bea(42)};Durand;;Louis;;31/02/2008;3A;DNB;Inscrit",
            f"{bea(43)};Leroy;;Jade;;26/03/2010;3A;BAC;Inscrit",
        )
    )
    result = cli("import", str(path), "--school", uai)
    assert result.code == 2
    assert "rien n'a été importé" in result.err
    assert "Ligne 3 : INE" in result.err and "lettre de contrôle" in result.err
    assert "Ligne 4 : Date de naissance « 31/02/2008 »" in result.err
    assert "Ligne 5 : Examen « BAC » inconnu" in result.err
    assert "Ligne 2" not in result.err
    status = json.loads(cli("accounts", "status", "--school", uai, "--json").out)
    assert status["eligible"] == 0
    assert cli("import", str(path), "--school", uai, "--dry-run").code == 2


def test_windows_1252_with_commas_and_odd_headers(cli: Cli, tmp_path: Path) -> None:
    uai = sample_uai()
    add_school(cli, uai)
    path = tmp_path / "eleves.csv"
    header = "ine,NOM,Prenom,date de naissance,DIVISION,examen,ÉTAT,Commentaire"
    path.write_bytes(
        csv_bytes(
            f"{bea(7)},Lefèvre,Anaïs,15/04/2008,TGB,BGT,inscrit,x", header=header, encoding="cp1252"
        )
    )
    result = cli("import", str(path), "--school", uai)
    assert result.code == 0, result.err
    listing = cli("accounts", "generate", "--school", uai, "--json")
    assert json.loads(listing.out)["created"] == 1


def test_known_ine_is_updated_and_other_school_ine_refused(cli: Cli, tmp_path: Path) -> None:
    uai = sample_uai()
    add_school(cli, uai)
    other = "0750001U"
    add_school(cli, other, "Collège Voltaire")
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes(f"{bea(9)};Roux;;Camille;;09/11/2010;3A;DNB;En cours d'inscription"))
    assert cli("import", str(path), "--school", uai).code == 0
    path.write_bytes(csv_bytes(f"{bea(9)};Roux;;Camille;;09/11/2010;3B;DNB;Inscrit"))
    dry = cli("import", str(path), "--school", uai, "--dry-run")
    assert "Vérification seule" in dry.out and "1 mise(s) à jour" in dry.out
    assert json.loads(cli("accounts", "status", "--school", uai, "--json").out)["eligible"] == 0
    assert "1 mise(s) à jour" in cli("import", str(path), "--school", uai).out
    assert json.loads(cli("accounts", "status", "--school", uai, "--json").out)["eligible"] == 1
    moved = cli("import", str(path), "--school", other)
    assert moved.code == 2
    assert f"Ligne 2 : INE {bea(9)} appartient à un autre établissement" in moved.err


def test_missing_columns_and_garbage(cli: Cli, tmp_path: Path) -> None:
    uai = sample_uai()
    add_school(cli, uai)
    path = tmp_path / "x.csv"
    path.write_bytes(b"INE;Nom\n123;X\n")
    result = cli("import", str(path), "--school", uai)
    assert result.code == 2 and "colonne(s) manquante(s)" in result.err
    path.write_bytes(b"\x00\x01\x02garbage\xff\xfe")
    assert cli("import", str(path), "--school", uai).code == 2
    missing = cli("import", str(tmp_path / "absent.csv"), "--school", uai)
    assert missing.code == 2 and "illisible" in missing.err
    bad_uai = cli("import", str(path), "--school", "0392689M")
    assert bad_uai.code == 2 and "lettre de contrôle" in bad_uai.err


def test_import_refuses_what_is_not_a_file(cli: Cli) -> None:
    add_school(cli, "0392689L")
    for special in ("/dev/zero", "/tmp"):
        result = cli("import", special, "--school", "0392689L")
        assert result.code == 2 and "n'est pas un fichier" in result.err


def test_the_import_core_names_records_as_its_caller_says(cli: Cli) -> None:
    # The core knows no format: CSV says « Ligne N », SIECLE « Élève NOM Prénom », and any
    # other caller its own words, for the same fault (an INE of another school).
    from cyclades_tui.services import schools as school_service
    from cyclades_tui.services.access import require_school
    from cyclades_tui.services.actor import operator
    from cyclades_tui.services.csv_import import parse_csv
    from cyclades_tui.services.errors import BadInput
    from cyclades_tui.services.import_core import store_records
    from cyclades_tui.services.import_records import line_of
    from cyclades_tui.services.siecle_import import pupil_of
    from tests.helpers import school_with_pupils

    school_with_pupils("0750001U", 1)
    school_service.add_school(operator(), "0392689L", "Autre")
    records, faults = parse_csv(csv_bytes(f"{bea(0)};Martin;;Léa;;02/02/2010;3A;DNB;Inscrit"))
    assert faults == []
    school = require_school(operator(), "0392689L")
    for where, said in (
        (line_of, "Ligne 2"),
        (pupil_of, "Élève Martin Léa"),
        (lambda r: f"Pupitre {r.line}", "Pupitre 2"),
    ):
        with pytest.raises(BadInput) as refused:
            store_records(operator(), school, records, [], True, "essai", where=where)
        assert refused.value.faults == [
            f"{said} : INE {bea(0)} appartient à un autre établissement"
        ]
