"""Exams, candidature states and the eligibility rule of the CYCLADES memo."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from cyclades_tui.domain.errors import DomainError

# Re-exported: state labels typed on the command line are compared in this form.
from cyclades_tui.domain.names import fold as fold

EXAMS: dict[str, str] = {
    "DNB": "Diplôme national du brevet",
    "BGT": "Baccalauréat général et technologique",
    "BCP": "Baccalauréat professionnel",
    "CAP": "Certificat d'aptitude professionnelle",
    "BP": "Brevet professionnel",
    "MCP": "Mention complémentaire",
    "BTS": "Brevet de technicien supérieur",
}

# Exams whose « Pré-inscrit » candidates already get an account (memo: BCP, BP and MCP).
PRE_REGISTERED_EXAMS = frozenset({"BCP", "BP", "MCP"})


class State(StrEnum):
    """Candidature states; the value is the CYCLADES label."""

    EN_COURS = "En cours d'inscription"
    PRE_INSCRIT = "Pré-inscrit"
    INSCRIT = "Inscrit"
    ANNULE = "Annulé"


_STATE_BY_FOLD = {fold(s.value): s for s in State}
# Short forms used on the command line (« --state pre-inscrit »).
_STATE_BY_FOLD.update(
    {
        "inscrit": State.INSCRIT,
        "pre-inscrit": State.PRE_INSCRIT,
        "preinscrit": State.PRE_INSCRIT,
        "annule": State.ANNULE,
        "encours": State.EN_COURS,
    }
)


def parse_state(raw: str) -> State:
    """Return the state named by ``raw`` (case and accents ignored) or raise DomainError."""
    state = _STATE_BY_FOLD.get(fold(raw))
    if state is None:
        labels = ", ".join(f"« {s.value} »" for s in State)
        raise DomainError(f"Etat « {raw.strip()} » inconnu : attendu {labels}.")
    return state


def parse_exam(raw: str) -> str:
    """Return the exam code named by ``raw`` (case ignored) or raise DomainError."""
    code = raw.strip().upper()
    if code not in EXAMS:
        raise DomainError(f"Examen « {raw.strip()} » inconnu : codes attendus {', '.join(EXAMS)}.")
    return code


# The eligibility rule of the memo, and the only place it is written: for each state that
# can give an account, the exams for which it does. « Inscrit » first, as the memo and the
# « Critères de sélection » list it. Python (is_eligible), the database
# (services.candidates.eligible_condition) and the state choices offered for a
# regeneration are all made from this table.
ELIGIBLE_EXAMS_BY_STATE: Mapping[State, frozenset[str]] = MappingProxyType(
    {
        State.INSCRIT: frozenset(EXAMS),
        State.PRE_INSCRIT: PRE_REGISTERED_EXAMS,
    }
)

# The same rule as the set of eligible (exam, state) pairs.
ELIGIBLE: frozenset[tuple[str, State]] = frozenset(
    (exam, state) for state, exams in ELIGIBLE_EXAMS_BY_STATE.items() for exam in exams
)

# States in which some candidature gives an account (« Inscrit », « Pré-inscrit »).
ELIGIBLE_STATES: tuple[State, ...] = tuple(ELIGIBLE_EXAMS_BY_STATE)


def is_eligible(exam: str, state: State) -> bool:
    """True when a candidature in ``state`` for ``exam`` entitles its candidate to an account."""
    return (exam, state) in ELIGIBLE


def eligibility_word(exam: str, state: State) -> str:
    """The list column's word for a candidature: « éligible », or what keeps it from an
    account: its exam when its state gives accounts for other exams (a « Pré-inscrit » at the
    DNB), else its state (« Annulé »)."""
    if is_eligible(exam, state):
        return "éligible"
    return "non éligible (examen)" if state in ELIGIBLE_EXAMS_BY_STATE else "non éligible (état)"


def eligibility_rule() -> str:
    """The rule in words, made from the table: « il faut « Inscrit », ou « Pré-inscrit » au
    BCP, BP ou MCP »."""
    parts = []
    for state, exams in ELIGIBLE_EXAMS_BY_STATE.items():
        if exams == frozenset(EXAMS):
            parts.append(f"«\u00a0{state.value}\u00a0»")
        else:
            named = [code for code in EXAMS if code in exams]  # in the order of EXAMS
            listed = (", ".join(named[:-1]) + " ou " + named[-1]) if len(named) > 1 else named[0]
            parts.append(f"«\u00a0{state.value}\u00a0» au {listed}")
    return "il faut " + ", ou ".join(parts)
