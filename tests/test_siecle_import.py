"""« Importer mes élèves depuis la BEE »: SIECLE exports through the CLI (and the TUI's refusal)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import Select, SelectionList

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.services import schools, staff, staff_login
from cyclades_tui.services.actor import operator
from cyclades_tui.services.db_session import connect
from cyclades_tui.services.errors import BadInput
from cyclades_tui.services.siecle_export import parse_siecle
from cyclades_tui.store.models import Candidate, Candidature
from cyclades_tui.ui.app import CycladesApp
from tests.helpers import FAST_SETTINGS, Cli, add_school, bea, csv_bytes, example
from tests.siecle_factory import Pupil, example_export, export_xml, export_zip
from tests.ui_helpers import pick_siecle_file, read_siecle_export, settle, text_of

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
    args = (
        "import",
        str(path),
        "--school",
        UAI,
        "--all-divisions",
        "--exam",
        "DNB",
        "--state",
        "inscrit",
    )
    refused = cli(*args)
    assert refused.code == 2
    assert "Élève 1004 (Sansine Paul)" in refused.err and "--yes" in refused.err
    assert Candidate.select().count() == 0
    done = cli(*args, "--yes")
    assert done.code == 0, done.err
    assert "4 élève(s) : 4 nouvel(s) élève(s)" in done.out and "Sansine" in done.out
    dubois = Candidate.get(Candidate.family_name == "Dubois")
    assert (dubois.first_name, dubois.other_first_names, dubois.division) == (
        "Hugo",
        "Marcel",
        "3A",
    )
    assert Candidate.get(Candidate.first_name == "Noé").usage_name == "Garcia-Lopez"
    assert Candidate.get(Candidate.first_name == "Zoé").family_name == "Œuvray"
    status = json.loads(cli("accounts", "status", "--school", UAI, "--json").out)
    assert status["eligible"] == 4
    again = cli(*args, "--yes")
    assert (
        "4 élève(s) : 0 nouvel(s) élève(s), 0 nouvelle(s) candidature(s) d'élève(s) "
        "déjà connu(s), 0 mis à jour, 4 inchangé(s)"
    ) in again.out


def test_divisions_and_initial_state(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    path = write(tmp_path, export_xml(UAI, PUPILS), "ElevesSansAdresses.xml")
    first = cli(
        "import",
        str(path),
        "--school",
        UAI,
        "--exam",
        "DNB",
        "--state",
        "en cours d'inscription",
        "--division",
        "3A",
        "3C",
    )
    assert first.code == 0, first.err
    assert sorted(c.division for c in Candidate.select()) == ["3A", "3A", "3C"]
    assert {c.state for c in Candidature.select()} == {"En cours d'inscription"}
    # A later import with another initial state keeps the state of known candidatures.
    second = cli(
        "import",
        str(path),
        "--school",
        UAI,
        "--exam",
        "DNB",
        "--state",
        "inscrit",
        "--division",
        "3A",
        "3B",
        "--yes",
    )
    assert second.code == 0, second.err
    states = {c.candidate.family_name: c.state for c in Candidature.select()}
    assert states["Dubois"] == "En cours d'inscription"
    assert states["Garcia"] == "Inscrit"
    unknown = cli(
        "import",
        str(path),
        "--school",
        UAI,
        "--exam",
        "DNB",
        "--state",
        "inscrit",
        "--division",
        "6Z",
    )
    assert unknown.code == 2 and "6Z" in unknown.err


def test_wrong_school_bad_options_and_bad_files(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    good = write(tmp_path, export_xml(UAI, PUPILS), "e.xml")
    assert cli("import", str(good), "--school", UAI).code == 2
    bad_exam = cli(
        "import",
        str(good),
        "--school",
        UAI,
        "--all-divisions",
        "--exam",
        "BAC",
        "--state",
        "inscrit",
    )
    assert bad_exam.code == 2 and "BAC" in bad_exam.err
    not_zip = write(tmp_path, b"PK\x03\x04garbage", "x.zip")
    broken = cli(
        "import",
        str(not_zip),
        "--school",
        UAI,
        "--all-divisions",
        "--exam",
        "DNB",
        "--state",
        "inscrit",
    )
    assert broken.code == 2 and "Archive .zip illisible" in broken.err
    assert "zip file" not in broken.err  # the library's English stays out
    cut_zip = write(tmp_path, export_zip(UAI, PUPILS)[:-40], "coupe.zip")
    assert (
        cli(
            "import",
            str(cut_zip),
            "--school",
            UAI,
            "--all-divisions",
            "--exam",
            "DNB",
            "--state",
            "inscrit",
        ).code
        == 2
    )
    csv_with_siecle_options = write(tmp_path, b"INE;Nom\n", "a.csv")
    assert cli("import", str(csv_with_siecle_options), "--school", UAI, "--exam", "DNB").code == 2
    # A school nobody added: refused (1), not bad input.
    unknown_school = cli(
        "import",
        str(good),
        "--school",
        "0750001U",
        "--all-divisions",
        "--exam",
        "DNB",
        "--state",
        "inscrit",
    )
    assert unknown_school.code == 1 and "inconnu" in unknown_school.err
    assert Candidate.select().count() == 0


def test_another_schools_export_is_bad_input(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    add_school(cli, "0750001U", "Autre lycée")
    other = write(tmp_path, export_zip("0750001U", PUPILS), "autre.zip")
    wrong = cli(
        "import",
        str(other),
        "--school",
        UAI,
        "--all-divisions",
        "--exam",
        "DNB",
        "--state",
        "inscrit",
        "--yes",
    )
    assert wrong.code == 2
    assert "celui de l'établissement « 0750001U », pas de 0392689L" in wrong.err
    assert Candidate.select().count() == 0


def test_an_export_naming_no_school_is_bad_input(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    for name, data in (
        ("sans-uaj.xml", export_xml(None, PUPILS)),
        ("uaj-vide.xml", export_xml("", PUPILS)),
    ):
        path = write(tmp_path, data, name)
        assert b"<UAJ>" not in data or b"<UAJ></UAJ>" in data
        result = cli(
            "import",
            str(path),
            "--school",
            UAI,
            "--all-divisions",
            "--exam",
            "DNB",
            "--state",
            "inscrit",
            "--yes",
        )
        assert result.code == 2, result.err
        assert "ne dit pas de quel établissement il vient (PARAMETRES/UAJ absent" in result.err
        assert "« ? »" not in result.err
    assert Candidate.select().count() == 0


NAMES = [
    Pupil("1", bea(201), "Cœur", "Zoé", "15/04/2011", "3A", usage="Lebœuf"),
    Pupil("2", bea(202), "Lefèvre", "Anaïs", "13/09/2011", "3A"),
    Pupil("3", bea(203), "Œuvray-€uro", "Noël", "27/09/2011", "3B"),
]


@pytest.mark.parametrize(
    ("encoding", "declared", "bom", "raw"),
    [
        # SIECLE's own: œ and € are outside Latin-1, so they come as character references.
        ("ISO-8859-1", None, False, b"C&#339;ur"),
        # ISO-8859-15 has œ (0xBD) and € (0xA4) as single bytes, where Latin-1 has ½ and ¤.
        ("ISO-8859-15", None, False, b"C\xbdur"),
        ("UTF-8", None, True, "Cœur".encode()),
        # An editor re-saved the export « UTF-8 with BOM » and kept the Latin-1 declaration.
        ("UTF-8", "ISO-8859-1", True, "Cœur".encode()),
        ("windows-1252", None, False, b"C\x9cur"),
    ],
)
def test_encodings_are_read_exactly(
    cli: Cli, tmp_path: Path, encoding: str, declared: str | None, bom: bool, raw: bytes
) -> None:
    add_school(cli, UAI)
    data = export_xml(UAI, NAMES, encoding=encoding, declared=declared, bom=bom)
    assert raw in data and data.startswith(b"\xef\xbb\xbf") == bom
    result = cli(
        "import",
        str(write(tmp_path, data, "e.xml")),
        "--school",
        UAI,
        "--all-divisions",
        "--exam",
        "DNB",
        "--state",
        "inscrit",
    )
    assert result.code == 0, result.err
    stored = sorted((c.family_name, c.usage_name, c.first_name) for c in Candidate.select())
    assert stored == [
        ("Cœur", "Lebœuf", "Zoé"),
        ("Lefèvre", "", "Anaïs"),
        ("Œuvray-€uro", "", "Noël"),
    ]


def test_unknown_encodings_are_refused_by_name(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    for declared in ("x-macthai", "Shift_JIS"):
        data = export_xml(UAI, NAMES, encoding="ISO-8859-1", declared=declared)
        result = cli(
            "import",
            str(write(tmp_path, data, "e.xml")),
            "--school",
            UAI,
            "--all-divisions",
            "--exam",
            "DNB",
            "--state",
            "inscrit",
        )
        assert result.code == 2
        assert f"Encodage « {declared} » non pris en charge" in result.err
        assert "unknown encoding" not in result.err and "multi-byte" not in result.err
    assert Candidate.select().count() == 0


def test_truncated_and_malformed_files_name_their_line(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    whole = export_xml(UAI, PUPILS)
    args = ("--school", UAI, "--all-divisions", "--exam", "DNB", "--state", "inscrit", "--yes")
    cut = whole[: whole.index(b"<PRENOM>Hugo")]  # stops in the middle of a pupil
    truncated = cli("import", str(write(tmp_path, cut, "t.xml")), *args)
    assert truncated.code == 2
    last_line = cut.count(b"\n") + 1
    assert f"Fichier XML tronqué : il s'arrête à la ligne {last_line}" in truncated.err
    cut_in_tag = whole[: whole.index(b"</ELEVES>") + 4]
    assert "tronqué" in cli("import", str(write(tmp_path, cut_in_tag, "u.xml")), *args).err
    broken = whole.replace(b"</NOM_DE_FAMILLE>", b"</NOM>", 1)
    bad_line = broken[: broken.index(b"</NOM>")].count(b"\n") + 1
    malformed = cli("import", str(write(tmp_path, broken, "m.xml")), *args)
    assert malformed.code == 2
    assert (
        f"Fichier XML mal formé à la ligne {bad_line} : balise fermante qui ne correspond pas"
    ) in malformed.err
    ampersand = whole.replace(b"Dubois", b"Dubois & Fils", 1)
    amp_line = ampersand[: ampersand.index(b"& Fils")].count(b"\n") + 1
    result = cli("import", str(write(tmp_path, ampersand, "a.xml")), *args)
    assert result.code == 2 and f"mal formé à la ligne {amp_line}" in result.err
    empty = cli("import", str(write(tmp_path, b"", "vide.xml")), *args)
    assert empty.code == 2 and "Fichier vide" in empty.err
    for result in (truncated, malformed, empty):
        assert "no element found" not in result.err and "mismatched" not in result.err
    assert Candidate.select().count() == 0


def test_pupils_who_left_before_the_export_are_listed_not_imported(
    cli: Cli, tmp_path: Path
) -> None:
    add_school(cli, UAI)
    pupils = [
        Pupil("1", bea(301), "Martin", "Lucas", "06/01/2011", "3A", left="05/10/2026"),
        Pupil("2", bea(302), "Bernard", "Emma", "21/01/2011", "3A", left="29/11/2026"),
        Pupil("3", bea(303), "Thomas", "Léa", "20/10/2011", "3B", left="04/07/2027"),
        Pupil("4", "", "Sansine", "Paul", "01/01/2011", "3B", left="01/09/2026"),
        Pupil("5", bea(305), "Petit", "Inès", "01/10/2011", "3B"),
    ]
    data = export_xml(UAI, pupils, date_export="29/11/2026")
    assert data.count(b"<DATE_SORTIE>") == 4
    # Paul has no INE but left: nothing to confirm, no --yes needed.
    result = cli(
        "import",
        str(write(tmp_path, data, "e.xml")),
        "--school",
        UAI,
        "--all-divisions",
        "--exam",
        "DNB",
        "--state",
        "inscrit",
    )
    assert result.code == 0, result.err
    assert "3 élève(s) : 3 nouvel(s) élève(s)" in result.out
    assert "2 élève(s) sorti(s) de l'établissement avant l'export, laissé(s) de côté" in result.out
    assert "Élève 1 (Martin Lucas), 3A : sorti(e) le 05/10/2026" in result.out
    assert "Élève 4 (Sansine Paul), 3B : sorti(e) le 01/09/2026" in result.out
    # Leaving on the export day or later: still a pupil at the export.
    assert sorted(c.family_name for c in Candidate.select()) == ["Bernard", "Petit", "Thomas"]
    # Only the chosen classes are looked at.
    only_3b = cli(
        "import",
        str(write(tmp_path, data, "e.xml")),
        "--school",
        UAI,
        "--exam",
        "DNB",
        "--state",
        "inscrit",
        "--division",
        "3B",
        "--dry-run",
    )
    assert "Martin" not in only_3b.out and "Sansine Paul), 3B : sorti(e)" in only_3b.out


def test_without_export_date_pupils_are_compared_to_today(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    yesterday, tomorrow = (f"{date.today() + timedelta(days=d):%d/%m/%Y}" for d in (-1, 1))
    pupils = [
        Pupil("1", bea(401), "Hier", "Parti", "01/01/2011", "3A", left=yesterday),
        Pupil("2", bea(402), "Demain", "Part", "01/01/2011", "3A", left=tomorrow),
    ]
    data = export_xml(UAI, pupils, date_export=None)
    assert b"DATE_EXPORT" not in data
    result = cli(
        "import",
        str(write(tmp_path, data, "e.xml")),
        "--school",
        UAI,
        "--all-divisions",
        "--exam",
        "DNB",
        "--state",
        "inscrit",
    )
    assert result.code == 0, result.err
    assert f"Élève 1 (Hier Parti), 3A : sorti(e) le {yesterday}" in result.out
    assert [c.family_name for c in Candidate.select()] == ["Demain"]


def test_unreadable_dates_are_bad_input(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    args = ("--school", UAI, "--all-divisions", "--exam", "DNB", "--state", "inscrit")
    bad_export = export_xml(UAI, PUPILS[:1], date_export="2026-11-29")
    result = cli("import", str(write(tmp_path, bad_export, "d.xml")), *args)
    assert result.code == 2
    assert "Date d'export (PARAMETRES/DATE_EXPORT) « 2026-11-29 » invalide" in result.err
    bad_leaving = export_xml(
        UAI, [Pupil("9", bea(9), "Roux", "Camille", "01/01/2011", "3A", left="31/02/2026")]
    )
    result = cli("import", str(write(tmp_path, bad_leaving, "s.xml")), *args)
    assert result.code == 2
    assert "Élève 9 (Roux Camille) : Date de sortie « 31/02/2026 » invalide" in result.err
    assert Candidate.select().count() == 0


def test_faults_name_pupils_sensibly(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    pupils = [
        Pupil("7", bea(501), "", "Harry", "31/07/2011", "3A"),
        Pupil("8", bea(502), "Granger", "Hermione", "19/09/2011", ""),
    ]
    result = cli(
        "import",
        str(write(tmp_path, export_xml(UAI, pupils), "e.xml")),
        "--school",
        UAI,
        "--all-divisions",
        "--exam",
        "DNB",
        "--state",
        "inscrit",
    )
    assert result.code == 2
    assert "Élève 7 (Harry, sans nom de famille) : Nom manquant." in result.err
    assert "( Harry)" not in result.err
    assert "Élève 8 (Granger Hermione) : Division manquante." in result.err
    assert Candidate.select().count() == 0


def test_siecle_and_csv_list_every_fault_of_a_pupil(cli: Cli, tmp_path: Path) -> None:
    # One validation style: a pupil with three bad fields gets three faults, as a CSV line does.
    add_school(cli, UAI)
    pupil = Pupil("7", bea(501), "", "Harry", "31/02/2011", "")
    args = ("--school", UAI, "--all-divisions", "--exam", "DNB", "--state", "inscrit")
    result = cli("import", str(write(tmp_path, export_xml(UAI, [pupil]), "e.xml")), *args)
    assert result.code == 2
    said = [
        line for line in result.err.splitlines() if "Élève 7 (Harry, sans nom de famille)" in line
    ]
    assert len(said) == 3, result.err
    assert "Nom manquant." in said[0] and "Division manquante." in said[2]
    csv_path = tmp_path / "c.csv"
    csv_path.write_bytes(csv_bytes(f"{bea(501)};;;Harry;;31/02/2011;;DNB;Inscrit"))
    result = cli("import", str(csv_path), "--school", UAI)
    assert result.code == 2
    assert [line for line in result.err.splitlines() if "Ligne 2 :" in line] == [
        line.replace("Élève 7 (Harry, sans nom de famille)", "Ligne 2") for line in said
    ], result.err
    assert Candidate.select().count() == 0


def test_csv_and_siecle_exports_of_the_same_pupils_give_the_same_candidates(cli: Cli) -> None:
    uai = example("candidats-exemple.uai").read_text().strip()
    add_school(cli, uai)
    assert cli("import", str(example("candidats-exemple.csv")), "--school", uai).code == 0
    from_csv = candidates()
    assert len(from_csv) == 34
    exams = {(division, exam) for *_, division, exam in from_csv}
    by_exam: dict[str, list[str]] = {}
    for division, exam in sorted(exams):
        by_exam.setdefault(exam, []).append(division)
    # Each class sits one exam, so one SIECLE import per exam covers the file.
    assert sum(len(d) for d in by_exam.values()) == len({d for d, _ in exams})
    export = example("ElevesSansAdresses.xml")

    def import_export(*extra: str) -> list[str]:
        outputs = []
        for exam, divisions in by_exam.items():
            result = cli(
                "import",
                str(export),
                "--school",
                uai,
                "--exam",
                exam,
                "--state",
                "inscrit",
                "--division",
                *divisions,
                *extra,
            )
            assert result.code == 0, result.err
            outputs.append(result.out)
        return outputs

    # Over the CSV's candidates the export changes nothing: same names, dates, classes.
    again = import_export("--dry-run")
    assert sum(int(out.split(" inchangé")[0].rsplit(" ", 1)[1]) for out in again) == 34
    nothing_new = (
        " 0 nouvel(s) élève(s), 0 nouvelle(s) candidature(s) d'élève(s) déjà connu(s), 0 mis à jour"
    )
    assert all(nothing_new in out for out in again)
    # Into an empty school, the export alone gives the same candidates and candidatures.
    Candidature.delete().execute()
    Candidate.delete().execute()
    outputs = import_export()
    assert candidates() == from_csv
    assert any("Élève 1035 (Perrin Alice), 3EA : sorti(e) le 06/11/2026" in out for out in outputs)


def candidates() -> list[tuple[str, ...]]:
    """Every candidate with its exam, whatever the state (SIECLE gives none)."""
    return sorted(
        (
            c.candidate.ine,
            c.candidate.family_name,
            c.candidate.usage_name,
            c.candidate.first_name,
            c.candidate.other_first_names,
            c.candidate.birth_date.isoformat(),
            c.candidate.division,
            c.exam,
        )
        for c in Candidature.select(Candidature, Candidate).join(Candidate)
    )


def test_example_export_is_the_factory_output() -> None:
    assert example("ElevesSansAdresses.xml").read_bytes() == example_export(), (
        "examples/ElevesSansAdresses.xml a changé : python -m tests.siecle_factory"
    )


def secretariat_app(tmp_path: Path) -> tuple[Path, CycladesApp]:
    """Lycée Pasteur (service positioned) in a SQLite file, its depot/ folder, and the TUI
    of its secretariat."""
    connect(f"sqlite:///{tmp_path / 'ecole.db'}")
    schools.add_school(operator(), UAI, "Lycée Pasteur")
    schools.set_service(operator(), UAI, True)
    staff.add_staff(
        operator(),
        "secretariat",
        "un mot de passe long",
        UAI,
        settings=FAST_SETTINGS,
        must_change=False,
    )
    # The screen reads from the school's incoming folder (beside the database).
    depot = tmp_path / "fichiers" / UAI / "depot"
    depot.mkdir(parents=True)
    app = CycladesApp(
        db_url=f"sqlite:///{tmp_path / 'ecole.db'}",
        demo_actor=staff_login.actor_for("secretariat"),
        settings=FAST_SETTINGS,
    )
    return depot, app


@pytest.mark.parametrize(
    ("uaj", "expected"),
    [
        ("0750001U", "celui de l'établissement « 0750001U », pas de 0392689L"),
        (None, "ne dit pas de quel établissement il vient"),
    ],
)
async def test_tui_refuses_another_schools_export_as_soon_as_it_is_read(
    tmp_path: Path, uaj: str | None, expected: str
) -> None:
    depot, app = secretariat_app(tmp_path)
    good = write(depot, export_zip(UAI, PUPILS), "bon.zip")
    other = write(depot, export_xml(uaj, PUPILS), "autre.xml")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await read_siecle_export(pilot, good.name)
        divisions = screen.query_one("#divisions", SelectionList)
        assert divisions.display and divisions.option_count == 3
        await pick_siecle_file(pilot, screen, other.name)
        # Refused before any class is offered; the classes of the earlier file are gone.
        assert expected in text_of(pilot, "#message")
        assert not divisions.display and screen.export is None
        screen.query_one("#exam", Select).value = "DNB"
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "Choisissez d'abord l'export dans la liste" in text_of(pilot, "#message")
    assert Candidate.select().count() == 0


@settings(max_examples=150, deadline=None)
@given(
    declared=st.text(max_size=20),
    bom=st.booleans(),
    date_export=st.text(max_size=14),
    left=st.text(max_size=14),
    encoding=st.sampled_from(["ISO-8859-1", "ISO-8859-15", "UTF-8", "windows-1252"]),
)
def test_any_declaration_or_date_is_read_or_refused_in_french(
    declared: str, bom: bool, date_export: str, left: str, encoding: str
) -> None:
    pupil = Pupil("1", bea(7), "Cœur", "Zoé", "01/01/2011", "3A", left=left)
    data = export_xml(
        UAI, [pupil], encoding=encoding, declared=declared, bom=bom, date_export=date_export
    )
    try:
        export = parse_siecle(data)
    except BadInput as error:
        assert error.message and error.faults
        # The parser's English never shows (the file's own text is quoted in « »).
        ours = re.sub(r"«.*»", "", error.message)
        assert not any(
            english in ours
            for english in (
                "line",
                "encoding",
                "not well-formed",
                "no element found",
                "mismatched",
                "token",
            )
        )
        return
    assert len(export.pupils) == 1
    try:
        export.pupils[0].left_before(export.export_date)
    except DomainError as error:
        assert "Date de sortie" in str(error)


async def test_tui_lists_pupils_who_left(tmp_path: Path) -> None:
    depot, app = secretariat_app(tmp_path)
    pupils = [
        *PUPILS[:3],
        Pupil("9", bea(109), "Parti", "Jean", "01/01/2011", "3A", left="01/10/2026"),
    ]
    export = write(depot, export_xml(UAI, pupils, date_export="29/11/2026"), "e.xml")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await read_siecle_export(pilot, export.name)
        assert "3 élève(s), 2 division(s)" in text_of(pilot, "#message")
        assert "1 élève(s) sorti(s) avant l'export" in text_of(pilot, "#message")
        screen.query_one("#exam", Select).value = "DNB"
        screen.query_one("#divisions", SelectionList).select_all()
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "Vérifié : 3 nouvel(s) élève(s)" in text_of(pilot, "#message")
        assert "Élève 9 (Parti Jean), 3A : sorti(e) le 01/10/2026" in text_of(pilot, "#faults")


def test_siecle_duplicate_ine_is_a_fault(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, "0392689L")
    path = tmp_path / "e.zip"
    path.write_bytes(
        export_zip(
            "0392689L",
            [
                Pupil("1", bea(5), "Un", "A", "01/01/2011", "3A"),
                Pupil("2", bea(5), "Deux", "B", "01/01/2011", "3A"),
            ],
        )
    )
    args = (
        "import",
        str(path),
        "--school",
        "0392689L",
        "--all-divisions",
        "--exam",
        "DNB",
        "--state",
        "inscrit",
    )
    for extra in (("--dry-run",), ()):
        result = cli(*args, *extra)
        assert result.code == 2 and "déjà porté par Élève 1 (Un A)" in result.err
    assert Candidate.select().count() == 0


LYCEE = [
    Pupil("2001", bea(201), "Martin", "Léa", "02/02/2008", "1BCP"),
    Pupil("2002", bea(202), "Petit", "Tom", "03/03/2009", "2CAP"),
    Pupil("2003", bea(203), "Roux", "Inès", "04/04/2011", "3A"),
]


def test_siecle_import_names_classes_and_asks_before_other_exams(cli: Cli, tmp_path: Path) -> None:
    """Issue 16: no class is implied, and a DNB import never quietly gives lycée pupils
    already candidates for BCP a second candidature."""
    add_school(cli, UAI)
    path = write(tmp_path, export_xml(UAI, LYCEE), "ElevesSansAdresses.xml")
    bcp = cli(
        "import",
        str(path),
        "--school",
        UAI,
        "--exam",
        "BCP",
        "--state",
        "pre-inscrit",
        "--division",
        "1BCP",
        "2CAP",
    )
    assert bcp.code == 0, bcp.err
    base = ("import", str(path), "--school", UAI, "--exam", "DNB", "--state", "inscrit")
    implied = cli(*base)
    assert implied.code == 2
    assert "--all-divisions" in implied.err and "1BCP, 2CAP, 3A" in implied.err
    check = cli(*base, "--all-divisions", "--dry-run")
    assert check.code == 0, check.err
    assert (
        "1 nouvel(s) élève(s), 2 nouvelle(s) candidature(s) d'élève(s) déjà connu(s), "
        "0 mis à jour, 0 inchangé(s)"
    ) in check.out
    assert "Martin Léa (INE " in check.out and "déjà candidat(e) BCP « Pré-inscrit »" in check.out
    assert "--other-exams" in check.out
    refused = cli(*base, "--all-divisions")
    assert refused.code == 2 and "--other-exams" in refused.err and "Petit Tom" in refused.err
    assert Candidature.select().where(Candidature.exam == "DNB").count() == 0
    only_college = cli(*base, "--division", "3A")
    assert only_college.code == 0, only_college.err
    assert Candidature.select().where(Candidature.exam == "DNB").count() == 1
    confirmed = cli(*base, "--all-divisions", "--other-exams")
    assert confirmed.code == 0, confirmed.err
    assert Candidature.select().where(Candidature.exam == "DNB").count() == 3
