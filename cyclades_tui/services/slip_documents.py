"""What a generation, a regeneration and a re-rendered single slip share.

A slip shows a pupil's name, INE, exam and class with a login and its password (and the
birth date only for homonyms); the PDFs are stored as Document rows of a run (a
generation or a regeneration), whose outcome is a :class:`RunResult`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from cyclades_tui.domain.exams import EXAMS
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.documents import DocumentSummary
from cyclades_tui.store.models import Document, Run, School

if TYPE_CHECKING:
    from cyclades_tui.pdf import DocumentInfo, SlipData

TITLE_MASS = "Papillons de connexion"
TITLE_ONE = "Papillon de connexion"


@dataclass(frozen=True)
class RunResult:
    """Outcome of a generation or regeneration."""

    run_id: int | None
    created: int
    documents: list[DocumentSummary]
    message: str


class Pupil(Protocol):
    """What a slip shows of a pupil: a candidature view or a candidate row."""

    @property
    def ine(self) -> str: ...
    @property
    def family_name(self) -> str: ...
    @property
    def usage_name(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def division(self) -> str: ...
    @property
    def birth_date(self) -> date | None: ...


def slip_data(pupil: Pupil, exam: str, login: str, password: str, homonym: bool) -> SlipData:
    """The slip of ``pupil`` for ``exam``; a homonym of the school shows its birth date."""
    # The renderer (reportlab) is imported on first use: the TUI starts faster without it.
    from cyclades_tui.pdf import SlipData

    born = pupil.birth_date
    return SlipData(
        login=login,
        password=password,
        family_name=pupil.family_name,
        usage_name=pupil.usage_name,
        first_name=pupil.first_name,
        ine=pupil.ine,
        exam_code=exam,
        exam_label=EXAMS.get(exam, exam),
        division=pupil.division,
        # Homonyms of the school are told apart by their date of birth.
        birth_date=f"{born:%d/%m/%Y}" if homonym and born else "",
    )


def document_info(title: str, school: School, site_url: str) -> DocumentInfo:
    """What every slip of a document of ``school`` shows besides the pupil."""
    # The renderer (reportlab) is imported on first use: the TUI starts faster without it.
    from cyclades_tui.pdf import DocumentInfo

    return DocumentInfo(
        title=title, school_name=school.name, school_uai=school.uai, site_url=site_url
    )


def new_document(
    school: School, run: Run, actor: Actor, title: str, layout: int, slips: int, data: bytes
) -> Document:
    """The row of a stored PDF (a generation's or a regeneration's), written by its author."""
    document = Document.create(
        school=school,
        run=run,
        title=title,
        layout=layout,
        slips=slips,
        size=len(data),
        type="PDF",
        created_by=actor.login,
        data=data,
    )
    assert isinstance(document, Document)
    return document
