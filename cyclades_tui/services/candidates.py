"""Candidates of a school as the screens and commands list them, with eligibility and accounts."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date
from functools import reduce

import peewee

from cyclades_tui.domain.exams import ELIGIBLE_EXAMS_BY_STATE, EXAMS, State, is_eligible
from cyclades_tui.domain.names import display_name, fold
from cyclades_tui.services.access import require_school
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.store.models import Account, Candidate, Candidature, School, tuples


@dataclass(frozen=True)
class CandidatureView:
    """One candidature of a candidate, with the account it has (if any)."""

    candidate_id: int
    ine: str
    family_name: str
    usage_name: str
    first_name: str
    division: str
    exam: str
    state: str
    eligible: bool
    login: str | None
    birth_date: date | None = None

    @property
    def exam_label(self) -> str:
        """The exam's full name."""
        return EXAMS.get(self.exam, self.exam)

    @property
    def display_name(self) -> str:
        """« NOM Prénom » as lists show it (usage name in brackets when there is one)."""
        return display_name(self.family_name, self.usage_name, self.first_name)

    @property
    def birth_label(self) -> str:
        """JJ/MM/AAAA, or empty when unknown."""
        return f"{self.birth_date:%d/%m/%Y}" if self.birth_date else ""


def eligible_condition() -> peewee.Expression:
    """SQL form of domain.exams.is_eligible, so that counts are made by the database.

    Built from the domain's table, one ``state = … AND exam IN (…)`` per state: each term
    reads the (school, state, exam) index, and the rule is not written a second time.
    """
    terms = [
        (Candidature.state == state.value) & Candidature.exam.in_(sorted(exams))
        for state, exams in ELIGIBLE_EXAMS_BY_STATE.items()
    ]
    return reduce(operator.or_, terms)


def _views(query: peewee.ModelSelect[Candidate]) -> list[CandidatureView]:
    rows = tuples(query)
    return [
        CandidatureView(
            candidate_id=cid,
            ine=ine,
            family_name=family,
            usage_name=usage,
            first_name=first,
            division=division,
            exam=exam,
            state=state,
            eligible=is_eligible(exam, State(state)),
            login=login,
            birth_date=born,
        )
        for cid, ine, family, usage, first, division, exam, state, login, born in rows
    ]


def _base_query(school: School) -> peewee.ModelSelect[Candidate]:
    return (
        Candidate.select(
            Candidate.id,
            Candidate.ine,
            Candidate.family_name,
            Candidate.usage_name,
            Candidate.first_name,
            Candidate.division,
            Candidature.exam,
            Candidature.state,
            Account.login,
            Candidate.birth_date,
        )
        .join(Candidature)
        .switch(Candidate)
        .join(Account, peewee.JOIN.LEFT_OUTER)
        # Both sides filtered by school, so that PostgreSQL reads each through its index
        # instead of scanning the academy's 300,000 rows of one of them.
        .where((Candidature.school == school) & (Candidate.school == school))
        .order_by(Candidate.division, Candidate.family_name, Candidate.first_name, Candidate.ine)
    )


def list_candidates(actor: Actor, uai: str) -> list[CandidatureView]:
    """Every candidature of the school, ordered by class then name."""
    school = require_school(actor, uai)
    with db_errors():
        return _views(_base_query(school))


def eligible_without_account(school: School) -> list[CandidatureView]:
    """Eligible candidates of ``school`` who have no account yet (one row per candidate)."""
    query = _base_query(school).where(eligible_condition() & Account.id.is_null())
    seen: set[int] = set()
    result = []
    with db_errors():
        views = _views(query)
    for view in views:
        if view.candidate_id not in seen:
            seen.add(view.candidate_id)
            result.append(view)
    return result


def find_by_ine(school: School, ine: str) -> list[CandidatureView]:
    """The candidatures of the candidate of ``school`` with this INE (empty if none)."""
    with db_errors():
        return _views(_base_query(school).where(Candidate.ine == ine))


def name_key(view: CandidatureView) -> str:
    """Names, INE and class folded, for matching what a person types."""
    return fold(
        " ".join((view.family_name, view.usage_name, view.first_name, view.ine, view.division))
    )


def find_by_name(actor: Actor, uai: str, text: str) -> list[CandidatureView]:
    """Candidates of the school whose names (or INE, class) contain every word of ``text``."""
    words = [fold(w) for w in text.split()]
    if not words:
        return []
    return [v for v in list_candidates(actor, uai) if all(w in name_key(v) for w in words)]


def school_homonyms(school: School) -> set[int]:
    """Ids of the candidates of ``school`` who share first and family name with another one
    (their slips and lists show the date of birth)."""
    with db_errors():
        rows = tuples(
            Candidate.select(Candidate.id, Candidate.family_name, Candidate.first_name).where(
                Candidate.school == school
            )
        )
    seen: dict[tuple[str, str], set[int]] = {}
    for cid, family, first in rows:
        seen.setdefault((fold(family), fold(first)), set()).add(cid)
    return {cid for ids in seen.values() if len(ids) > 1 for cid in ids}
