"""The eligibility rule: the memo's table, and the database selecting exactly what it says.

The rule lives once, in ``domain.exams``; the SQL of ``services.candidates`` is built from
it. These tests hold both to the memo, on SQLite and on the real PostgreSQL, including
stored values that only look like an exam or a state (case, accents, spaces).
"""

from __future__ import annotations

import io
import itertools
import unicodedata
from collections.abc import Iterator
from contextlib import redirect_stderr
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyclades_tui.cli import main
from cyclades_tui.domain.exams import (
    ELIGIBLE,
    ELIGIBLE_STATES,
    EXAMS,
    State,
    is_eligible,
)
from cyclades_tui.services import account_generation, account_regeneration, schools
from cyclades_tui.services.actor import operator
from cyclades_tui.services.candidates import eligible_condition, eligible_without_account
from cyclades_tui.services.errors import BadInput
from cyclades_tui.store.models import Candidate, Candidature, School
from cyclades_tui.ui.screens.regenerate import STATES

UAI = "0392689L"
# The memo, written out by hand as the oracle: (En cours d'inscription, Pré-inscrit,
# Inscrit, Annulé) for each exam.
STATE_COLUMNS = (State.EN_COURS, State.PRE_INSCRIT, State.INSCRIT, State.ANNULE)
MEMO = {
    "DNB": (False, False, True, False),
    "BGT": (False, False, True, False),
    "BCP": (False, True, True, False),
    "CAP": (False, False, True, False),
    "BP": (False, True, True, False),
    "MCP": (False, True, True, False),
    "BTS": (False, False, True, False),
}
# Stored values that are not an exam or a state but look like one: the database must not
# match them where Python would not (case-insensitive collation, trimmed spaces, accents).
NEAR_EXAMS = ["bcp", "Bp", "MCP ", "XYZ", ""]
NEAR_STATES = [
    "inscrit",
    "INSCRIT",
    "Inscrit ",
    "Pre-inscrit",
    "pré-inscrit",
    unicodedata.normalize("NFD", State.PRE_INSCRIT.value),
    "Inscrite",
    "",
]
STATE_VALUES = {s.value for s in State}


def memo_rule(exam: str, state: str) -> bool:
    """The pure rule applied to a stored (exam, state): unknown values are never eligible."""
    return state in STATE_VALUES and is_eligible(exam, State(state))


@pytest.fixture
def school(db_url: str) -> Iterator[School]:
    """The one school of the test, with no candidate yet."""
    schools.add_school(operator(), UAI, "Lycée Pasteur")
    yield School.get(School.uai == UAI)


def store(school: School, candidates: list[dict[str, str]]) -> dict[int, tuple[int, str, str]]:
    """One candidate per dict (exam -> state); (candidate id, exam, state) by candidature id."""
    stored: dict[int, tuple[int, str, str]] = {}
    for number, candidatures in enumerate(candidates):
        candidate = Candidate.create(
            school=school,
            ine=f"{number:010d}A",
            family_name=f"Nom{number}",
            first_name="Prénom",
            birth_date=date(2010, 2, 2),
            division="3A",
        )
        for exam, state in candidatures.items():
            row = Candidature.create(candidate=candidate, school=school, exam=exam, state=state)
            stored[row.id] = (candidate.id, exam, state)
    return stored


def selected_ids(school: School) -> set[int]:
    """The candidatures of ``school`` that the SQL condition selects."""
    query = Candidature.select(Candidature.id).where(
        (Candidature.school == school) & eligible_condition()
    )
    return {row.id for row in query}


def test_the_table_is_the_memo_for_every_exam_and_state() -> None:
    assert set(MEMO) == set(EXAMS)
    for exam, row in MEMO.items():
        for state, expected in zip(STATE_COLUMNS, row, strict=True):
            assert is_eligible(exam, state) is expected, (exam, state)
            assert ((exam, state) in ELIGIBLE) is expected, (exam, state)
    assert len(ELIGIBLE) == sum(sum(row) for row in MEMO.values())
    # « Inscrit » first: the order of the memo and of the « Critères de sélection ».
    assert ELIGIBLE_STATES == (State.INSCRIT, State.PRE_INSCRIT)


def test_the_database_selects_the_memo_table(school: School) -> None:
    # One candidate per (exam, state) of the full table, so that each cell is checked alone.
    cells = list(itertools.product(MEMO, STATE_COLUMNS))
    stored = store(school, [{exam: state.value} for exam, state in cells])
    chosen = {stored[i][1:] for i in selected_ids(school)}
    expected = {
        (exam, state.value) for exam, state in cells if MEMO[exam][STATE_COLUMNS.index(state)]
    }
    assert chosen == expected
    assert len(chosen) == 10
    assert account_generation.status(operator(), UAI).eligible == 10


def test_regeneration_offers_and_accepts_only_the_eligible_states(
    school: School, db_url: str
) -> None:
    schools.set_service(operator(), UAI, True)
    store(school, [{"DNB": State.ANNULE.value}])
    with pytest.raises(BadInput) as refused:
        account_regeneration.find_for_regeneration(operator(), UAI, "0000000000A", "annule")
    assert refused.value.message == "Etat : « Inscrit » ou « Pré-inscrit » attendu."
    # The screen's « Etat » list and the command's --state offer the same two states.
    assert STATES == [("Inscrit", "inscrit"), ("Pré-inscrit", "pre-inscrit")]
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as usage:  # argparse's refusal
        main(
            [
                "accounts",
                "regenerate",
                "--school",
                UAI,
                "--ine",
                "0000000000A",
                "--state",
                "annule",
                "--db",
                db_url,
            ]
        )
    assert usage.value.code == 2
    assert "'inscrit', 'pre-inscrit'" in err.getvalue()


candidate_rows = st.lists(
    st.dictionaries(
        st.sampled_from(list(EXAMS)) | st.sampled_from(NEAR_EXAMS),
        st.sampled_from(sorted(STATE_VALUES)) | st.sampled_from(NEAR_STATES),
        min_size=1,
        max_size=4,
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(candidates=candidate_rows)
def test_sql_selection_equals_the_pure_rule(
    school: School, candidates: list[dict[str, str]]
) -> None:
    # The same database serves every example: each one starts from no candidate.
    Candidature.delete().execute()
    Candidate.delete().execute()
    stored = store(school, candidates)
    by_python = {i for i, (_, exam, state) in stored.items() if memo_rule(exam, state)}
    assert selected_ids(school) == by_python
    # What the services build on the condition: one row per candidate with an eligible
    # candidature, and the same count in the status.
    eligible_candidates = {stored[i][0] for i in by_python}
    assert {v.candidate_id for v in eligible_without_account(school)} == eligible_candidates
    assert account_generation.status(operator(), UAI).eligible == len(eligible_candidates)


def test_the_words_of_a_refusal_follow_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    # Change the table alone (a memo adding the CAP for « Pré-inscrit »): the rule in words
    # and the list column follow it, since none of them writes the rule a second time.
    from cyclades_tui.domain import exams
    from cyclades_tui.services.candidates import CandidatureView
    from cyclades_tui.ui.screens.candidates import account_cell

    assert exams.eligibility_rule() == (
        "il faut «\u00a0Inscrit\u00a0», ou «\u00a0Pré-inscrit\u00a0» au BCP, BP ou MCP"
    )
    assert exams.eligibility_word("CAP", State.PRE_INSCRIT) == "non éligible (examen)"
    table = {
        State.INSCRIT: frozenset(EXAMS),
        State.PRE_INSCRIT: frozenset({"BCP", "CAP", "BP", "MCP"}),
    }
    monkeypatch.setattr(exams, "ELIGIBLE_EXAMS_BY_STATE", table)
    monkeypatch.setattr(
        exams,
        "ELIGIBLE",
        frozenset((exam, state) for state, codes in table.items() for exam in codes),
    )
    assert exams.eligibility_rule().endswith("au BCP, CAP, BP ou MCP")
    assert exams.eligibility_word("CAP", State.PRE_INSCRIT) == "éligible"
    assert exams.eligibility_word("DNB", State.PRE_INSCRIT) == "non éligible (examen)"
    assert exams.eligibility_word("CAP", State.ANNULE) == "non éligible (état)"
    view = CandidatureView(
        candidate_id=1,
        ine="",
        family_name="",
        usage_name="",
        first_name="",
        division="",
        exam="DNB",
        state=State.PRE_INSCRIT.value,
        eligible=False,
        login=None,
    )
    assert account_cell(view) == "non éligible (examen)"
