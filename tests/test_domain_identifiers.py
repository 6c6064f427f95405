"""UAI and INE checks, eligibility, exams and states, names and dates."""

from __future__ import annotations

from datetime import date

import pytest

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.exams import State, is_eligible, parse_exam, parse_state
from cyclades_tui.domain.identifiers import (
    CHECK_LETTERS,
    IneKind,
    base36_check_digit,
    check_letter,
    has_uai_form,
    ine_kind,
    validate_ine,
    validate_uai,
)
from cyclades_tui.domain.names import clean_name, display_name, fold, parse_birth_date


def test_uai_of_the_sample_school_is_valid() -> None:
    assert validate_uai(" 0392689l ") == "0392689L"


@pytest.mark.parametrize("bad", ["0392689M", "039268L", "03926890", "", "ABCDEFGH"])
def test_bad_uai_is_rejected_with_a_french_message(bad: str) -> None:
    with pytest.raises(DomainError, match="UAI"):
        validate_uai(bad)


def test_one_check_letter_serves_uai_and_ine() -> None:
    # UAI and INE-BEA are checked by the same function: its answer is what both accept.
    assert check_letter("0750001") == "U"
    assert validate_uai("0750001" + check_letter("0750001")) == "0750001U"
    digits = "1234567890"
    assert ine_kind(digits + check_letter(digits)) is IneKind.BEA
    wrong = next(c for c in CHECK_LETTERS if c != check_letter(digits))
    with pytest.raises(DomainError, match="lettre de contrôle"):
        ine_kind(digits + wrong)


def test_uai_form_is_seven_ascii_digits_and_a_letter() -> None:
    assert has_uai_form("0750001U")
    for bad in ("0750001U\n", "0750001u", "075000U", "٠٧٥٠٠٠١U", "../../etc", "0750001UU"):
        assert not has_uai_form(bad)


def test_uai_check_letter_follows_mod_23() -> None:
    digits = "0750001"
    assert validate_uai(digits + CHECK_LETTERS[750001 % 23]) == "0750001U"


@pytest.mark.parametrize(
    ("ine", "kind"),
    [
        ("0228191520L", IneKind.BEA),
        ("825762713CD", IneKind.RNIE),
        ("1234A56789" + CHECK_LETTERS[0], IneKind.SIFA),
    ],
)
def test_ine_kinds(ine: str, kind: IneKind) -> None:
    assert ine_kind(ine) is kind


def test_ine_bea_wrong_letter_names_the_expected_one() -> None:
    with pytest.raises(DomainError, match="« L »"):
        validate_ine("0228191520M")


def test_ine_base36_check_digit() -> None:
    first_ten = "12AB34CD5Z"
    digit = base36_check_digit(first_ten)
    total = 6 * sum(int(c, 36) for c in first_ten[:9]) + int(first_ten[9], 36)
    assert digit == str(total % 10)
    assert ine_kind(first_ten + digit) is IneKind.BASE36
    wrong = str((int(digit) + 1) % 10)
    with pytest.raises(DomainError, match="chiffre de contrôle"):
        validate_ine(first_ten + wrong)


@pytest.mark.parametrize("bad", ["", "12345", "0228191520I", "12345678901234", "82576271ICD"])
def test_unrecognised_ine_is_rejected(bad: str) -> None:
    with pytest.raises(DomainError, match="INE"):
        validate_ine(bad)


@pytest.mark.parametrize(
    ("exam", "state", "expected"),
    [
        ("DNB", State.INSCRIT, True),
        ("DNB", State.PRE_INSCRIT, False),
        ("BGT", State.PRE_INSCRIT, False),
        ("BCP", State.PRE_INSCRIT, True),
        ("BP", State.PRE_INSCRIT, True),
        ("MCP", State.PRE_INSCRIT, True),
        ("BCP", State.EN_COURS, False),
        ("CAP", State.ANNULE, False),
    ],
)
def test_eligibility_rule_of_the_memo(exam: str, state: State, expected: bool) -> None:
    assert is_eligible(exam, state) is expected


def test_states_parse_without_case_or_accents() -> None:
    assert parse_state("PRE-INSCRIT") is State.PRE_INSCRIT
    assert parse_state("pré-inscrit") is State.PRE_INSCRIT
    assert parse_state("en cours d’inscription") is State.EN_COURS
    assert parse_state("annule") is State.ANNULE
    with pytest.raises(DomainError, match="Etat"):
        parse_state("admis")


def test_exam_codes() -> None:
    assert parse_exam(" bcp ") == "BCP"
    with pytest.raises(DomainError, match="Examen « BAC » inconnu"):
        parse_exam("BAC")


def test_dates_and_names() -> None:
    assert parse_birth_date("29/02/2008") == date(2008, 2, 29)
    with pytest.raises(DomainError, match="31/02/2008"):
        parse_birth_date("31/02/2008")
    assert clean_name("  Jean   Baptiste ", "Prénom", required=True) == "Jean Baptiste"
    with pytest.raises(DomainError, match="caractère interdit"):
        clean_name("Bob\x1b[31m", "Nom", required=True)
    with pytest.raises(DomainError, match="caractère interdit"):
        clean_name("Ali\u202e", "Nom", required=True)
    with pytest.raises(DomainError, match="Nom manquant"):
        clean_name("   ", "Nom", required=True)
    # Markup characters are legitimate text: kept as typed, displayed literally by the UI.
    assert clean_name("[bold]Léa[/]", "Prénom", required=True) == "[bold]Léa[/]"


def test_identifiers_are_ascii_digits_only() -> None:
    with pytest.raises(DomainError):
        validate_ine("０２２８１９１５２０L")
    with pytest.raises(DomainError):
        validate_uai("０３９２６８９L")
    assert validate_ine("0228191520L") == "0228191520L"


def test_one_fold_for_ligatures_and_sharp_s() -> None:
    # Homonyms, search and print order all compare through this one function.
    assert fold("Lætitia-Cœur") == fold("laetitia-coeur") == "laetitia-coeur"
    assert fold("Œuvray") == "oeuvray"
    assert fold("Strauß") == fold("STRAUSS") == "strauss"
    assert fold("En cours d’inscription") == "encoursd'inscription"


def test_print_order_and_homonyms_share_the_fold() -> None:
    from cyclades_tui.pdf import slips
    from cyclades_tui.services import candidates

    assert slips.fold is fold
    assert candidates.fold is fold


def test_display_name_shows_the_usage_name_in_brackets() -> None:
    assert display_name("MARTIN", "DUPONT", "Léa") == "MARTIN (DUPONT) Léa"
    assert display_name("MARTIN", "", "Léa") == "MARTIN Léa"
    assert display_name("MARTIN", "DUPONT", "") == "MARTIN (DUPONT)"
