"""« Importer mes élèves depuis la BEE »: SIECLE exports through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from cyclades_tui.store.models import Candidate, Candidature
from tests.conftest import Cli
from tests.siecle_factory import Pupil, export_xml, export_zip
from tests.test_csv_import import add_school, bea

UAI = "0392689L"
PUPILS = [
    Pupil("1001", bea(101), "Lefèvre", "Anaïs", "15/04/2011", "3A"),
    Pupil("1002", bea(102), "Dubois", "Hugo", "13/09/2011", "3A", first2="Marcel"),
    Pupil("1003", bea(103), "Garcia", "Noé", "27/09/2011", "3B", usage="Garcia-Lopez"),
    Pupil("1004", "", "Sansine", "Paul", "01/01/2011", "3B"),
    Pupil("1005", bea(105), "Œuvray", "Zoé", "11/03/2011", "3C"),
]


def write(tmp_path: Path, data: bytes, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_zipped_export_with_a_pupil_without_ine(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    path = write(tmp_path, export_zip(UAI, PUPILS), "ElevesSansAdresses.zip")
    args = ("import", str(path), "--school", UAI, "--exam", "DNB", "--state", "inscrit")
    refused = cli(*args)
    assert refused.code == 2
    assert "Élève 1004 (Sansine Paul)" in refused.err and "--yes" in refused.err
    assert Candidate.select().count() == 0
    done = cli(*args, "--yes")
    assert done.code == 0, done.err
    assert "4 élève(s) : 4 ajouté(s)" in done.out and "Sansine" in done.out
    dubois = Candidate.get(Candidate.family_name == "Dubois")
    assert (dubois.first_name, dubois.other_first_names, dubois.division) == ("Hugo", "Marcel",
                                                                              "3A")
    assert Candidate.get(Candidate.first_name == "Noé").usage_name == "Garcia-Lopez"
    assert Candidate.get(Candidate.first_name == "Zoé").family_name == "Œuvray"
    status = json.loads(cli("accounts", "status", "--school", UAI, "--json").out)
    assert status["eligible"] == 4
    again = cli(*args, "--yes")
    assert "4 élève(s) : 0 ajouté(s), 0 mis à jour, 4 inchangé(s)" in again.out


def test_divisions_and_initial_state(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    path = write(tmp_path, export_xml(UAI, PUPILS), "ElevesSansAdresses.xml")
    first = cli("import", str(path), "--school", UAI, "--exam", "DNB", "--state",
                "en cours d'inscription", "--division", "3A", "3C")
    assert first.code == 0, first.err
    assert sorted(c.division for c in Candidate.select()) == ["3A", "3A", "3C"]
    assert {c.state for c in Candidature.select()} == {"En cours d'inscription"}
    # A later import with another initial state keeps the state of known candidatures.
    second = cli("import", str(path), "--school", UAI, "--exam", "DNB", "--state", "inscrit",
                 "--division", "3A", "3B", "--yes")
    assert second.code == 0, second.err
    states = {c.candidate.family_name: c.state for c in Candidature.select()}
    assert states["Dubois"] == "En cours d'inscription"
    assert states["Garcia"] == "Inscrit"
    unknown = cli("import", str(path), "--school", UAI, "--exam", "DNB", "--state", "inscrit",
                  "--division", "6Z")
    assert unknown.code == 2 and "6Z" in unknown.err


def test_wrong_school_bad_options_and_bad_files(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    other = write(tmp_path, export_zip("0750001U", PUPILS), "autre.zip")
    wrong = cli("import", str(other), "--school", UAI, "--exam", "DNB", "--state", "inscrit")
    assert wrong.code == 1 and "0750001U" in wrong.err
    good = write(tmp_path, export_xml(UAI, PUPILS), "e.xml")
    assert cli("import", str(good), "--school", UAI).code == 2
    bad_exam = cli("import", str(good), "--school", UAI, "--exam", "BAC", "--state", "inscrit")
    assert bad_exam.code == 2 and "BAC" in bad_exam.err
    truncated = write(tmp_path, export_xml(UAI, PUPILS)[:300], "t.xml")
    result = cli("import", str(truncated), "--school", UAI, "--exam", "DNB", "--state", "inscrit")
    assert result.code == 2 and "XML invalide" in result.err
    not_zip = write(tmp_path, b"PK\x03\x04garbage", "x.zip")
    assert cli("import", str(not_zip), "--school", UAI, "--exam", "DNB",
               "--state", "inscrit").code == 2
    csv_with_siecle_options = write(tmp_path, b"INE;Nom\n", "a.csv")
    assert cli("import", str(csv_with_siecle_options), "--school", UAI, "--exam", "DNB").code == 2
    assert Candidate.select().count() == 0
