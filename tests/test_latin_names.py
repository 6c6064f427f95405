"""Names are written in the Latin script: other scripts and invisible names are refused.

« Аlice » (Cyrillic А) beside « Alice » would print slips that look identical, a Chinese name
prints an empty « Candidat : », and a name of Hangul fillers (U+3164) looks empty and gets
the login « candidat ». The rule (domain/names.py) is checked on its own (with a property
over generated names), then through both imports, from the CLI and from the BEE screen.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Select, SelectionList

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.names import check_latin_name, clean_person_name
from cyclades_tui.services import schools, staff, staff_login
from cyclades_tui.services.actor import operator
from cyclades_tui.services.db_session import connect
from cyclades_tui.store.models import Candidate
from cyclades_tui.ui.app import CycladesApp
from tests.helpers import FAST_SETTINGS, Cli, add_school, bea, csv_bytes
from tests.siecle_factory import Pupil, export_xml
from tests.ui_helpers import read_siecle_export, settle, text_of

UAI = "0392689L"
ACCEPTED = [
    "Łukasz",
    "Nguyễn",
    "Ștefan",
    "Cœur",
    "Strauß",
    "Æsa",
    "O'Brien",
    "D’Artagnan",
    "Jean-Pierre",
    "Marie Anne",
    "N\u0308oé",
    "Zoë Ø",
    "Œuvray-€uro",
]
REFUSED = {
    "\u0410lice": "U+0410",  # Cyrillic capital A
    "李小龙": "U+674E",
    "Αλέξανδρος": "U+0391",
    "\u3164": "U+3164",
    "\u3164\u3164": "U+3164",
    "\u2800": "U+2800",
    "\uffa0": "U+FFA0",
    "A\u200bB": "U+200B",
    "\u200b": "U+200B",
    "---": "aucune lettre",
    "e" + "\u0301" * 5: "accent",
}


@pytest.mark.parametrize("name", ACCEPTED)
def test_latin_names_with_accents_and_ligatures_pass(name: str) -> None:
    assert clean_person_name(name, "Nom", required=True) == unicodedata.normalize("NFC", name)


@pytest.mark.parametrize("name", list(REFUSED))
def test_other_scripts_and_invisible_names_are_refused(name: str) -> None:
    with pytest.raises(DomainError, match="Nom") as refused:
        clean_person_name(name, "Nom", required=True)
    assert REFUSED[name] in str(refused.value)


LATIN = st.characters(categories=["Lu", "Ll", "Lt", "Lo"], exclude_characters="ªº").filter(
    lambda c: unicodedata.name(c, "").startswith("LATIN ")
)
FOREIGN = st.characters(categories=["Lu", "Ll", "Lo"]).filter(
    lambda c: not unicodedata.name(c, "LATIN ").startswith("LATIN ")
)


@given(
    st.lists(st.one_of(LATIN, st.sampled_from(" '’-")), min_size=1, max_size=40).filter(
        lambda chars: any(c.isalpha() for c in chars)
    )
)
def test_any_latin_name_passes(chars: list[str]) -> None:
    check_latin_name("".join(chars), "Nom")


@given(st.text(LATIN, max_size=10), FOREIGN, st.text(LATIN, max_size=10))
def test_any_other_letter_is_refused_and_named(before: str, foreign: str, after: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_latin_name(before + foreign + after, "Prénom")
    assert f"U+{ord(foreign):04X}" in str(refused.value) and "Prénom" in str(refused.value)


def test_csv_import_names_the_line_and_the_field(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    path = tmp_path / "c.csv"
    path.write_bytes(
        csv_bytes(
            f"{bea(1)};Martin;;Alice;;01/01/2011;3A;DNB;Inscrit",
            f"{bea(2)};Martin;;\u0410lice;;01/01/2011;3A;DNB;Inscrit",
            f"{bea(3)};\u3164;;Paul;;01/01/2011;3A;DNB;Inscrit",
            f"{bea(4)};王;;Wei;;01/01/2011;3A;DNB;Inscrit",
        )
    )
    result = cli("import", str(path), "--school", UAI)
    assert result.code == 2
    assert "Ligne 3 : Prénom « Аlice » : lettre hors de l'alphabet latin (U+0410" in result.err
    assert "Ligne 4 : Nom contient un caractère invisible (U+3164)" in result.err
    assert "Ligne 5 : Nom « 王 »" in result.err
    assert Candidate.select().count() == 0


PUPILS = [
    Pupil("1", bea(1), "Martin", "Alice", "01/01/2011", "3A"),
    Pupil("2", bea(2), "Martin", "\u0410lice", "01/01/2011", "3A"),
    Pupil("3", bea(3), "\u2800", "Paul", "01/01/2011", "3A"),
]


def test_siecle_import_names_the_pupil_and_the_field(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    path = tmp_path / "e.xml"
    path.write_bytes(export_xml(UAI, PUPILS, encoding="UTF-8"))
    result = cli(
        "import",
        str(path),
        "--school",
        UAI,
        "--exam",
        "DNB",
        "--state",
        "inscrit",
        "--all-divisions",
    )
    assert result.code == 2
    assert "Élève 2 (Martin Аlice) : Prénom « Аlice » : lettre hors de l'alphabet" in result.err
    assert "Élève 3" in result.err and "Nom contient un caractère invisible (U+2800)" in result.err
    assert Candidate.select().count() == 0


async def test_bee_screen_shows_the_refused_names(tmp_path: Path) -> None:
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
    depot = tmp_path / "fichiers" / UAI / "depot"
    depot.mkdir(parents=True)
    (depot / "e.xml").write_bytes(export_xml(UAI, PUPILS, encoding="UTF-8"))
    app = CycladesApp(
        db_url=f"sqlite:///{tmp_path / 'ecole.db'}",
        demo_actor=staff_login.actor_for("secretariat"),
        settings=FAST_SETTINGS,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await read_siecle_export(pilot, "e.xml")
        screen.query_one("#exam", Select).value = "DNB"
        screen.query_one("#divisions", SelectionList).select_all()
        await pilot.press("ctrl+o")
        await settle(pilot)
        faults = text_of(pilot, "#faults")
        assert "Élève 2" in faults and "U+0410" in faults
        assert "Élève 3" in faults and "U+2800" in faults
    assert Candidate.select().count() == 0
