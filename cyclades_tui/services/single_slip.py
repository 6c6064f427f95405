"""One pupil's slip alone, out of a stored document (view, print or save that page only).

The slip is rendered again from what the stored PDF holds (its login and password, read
back) and from the pupil's row: a page is never cut out of the stored document, which is
left unchanged. Every use is audited like the export of a whole document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cyclades_tui.domain.names import fold
from cyclades_tui.services import documents, files, printing
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.candidates import school_homonyms
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.documents import DocumentSummary, SlipPreview
from cyclades_tui.services.errors import BadInput, Refused
from cyclades_tui.services.slip_documents import TITLE_ONE, document_info, slip_data
from cyclades_tui.store.models import Candidate, Candidature, School


@dataclass(frozen=True)
class OneSlip:
    """One pupil's slip re-rendered as a one-page PDF."""

    document: DocumentSummary
    slip: SlipPreview
    data: bytes

    def __repr__(self) -> str:  # the PDF holds a password: keep it out of logs
        return f"OneSlip(document={self.document.id}, login={self.slip.login!r})"

    @property
    def file_name(self) -> str:
        """« UAI-papillon-INE-doc12.pdf »: says whose slip it is and where it comes from."""
        return slip_file_name(self.document, self.slip.ine)


def slip_file_name(document: DocumentSummary, ine: str) -> str:
    """« UAI-papillon-INE-doc12.pdf »: says whose slip it is and where it comes from."""
    return f"{document.school or 'doc'}-papillon-{ine}-doc{document.id}.pdf"


def not_in_document(document_id: int, ine: str) -> str:
    """The refusal when the pupil has no slip in the document."""
    return (
        f"L'élève d'INE « {ine} » n'a pas de papillon dans le document {document_id} : "
        "vérifiez l'INE ou choisissez un autre document (rien n'a été écrit)."
    )


def matching_slips(slips: list[SlipPreview], search: str) -> list[SlipPreview]:
    """The slips whose pupil's name, INE or class holds every word of ``search`` (case and
    accents ignored): how the slip finder narrows a document to one pupil."""
    words = [fold(word) for word in search.split()]
    return [s for s in slips if all(w in fold(f"{s.name} {s.ine} {s.division}") for w in words)]


def render(actor: Actor, document_id: int, ine: str, site_url: str) -> OneSlip:
    """The slip of the pupil ``ine`` in the document, alone on a one-page PDF."""
    # The renderer (reportlab) is imported on first use: the TUI starts faster without it.
    from cyclades_tui.pdf import render_slips

    info, _ = documents.fetch(actor, document_id, "document.export")
    slip = next((s for s in documents.preview(actor, document_id) if s.ine == ine), None)
    if slip is None:
        raise BadInput(not_in_document(document_id, ine), [f"INE : {ine}"])
    with db_errors():
        school = School.get(School.uai == info.school)
        candidate = Candidate.get((Candidate.ine == ine) & (Candidate.school == school))
        exam = (
            Candidature.select(Candidature.exam)
            .where(Candidature.candidate == candidate)
            .order_by(Candidature.exam)
            .first()
        )
        homonyms = school_homonyms(school)
    code = exam.exam if exam is not None else ""
    one = slip_data(candidate, code, slip.login, slip.password, candidate.id in homonyms)
    data = render_slips([one], document_info(TITLE_ONE, school, site_url), 1)
    return OneSlip(info, slip, data)


def _record(actor: Actor, one: OneSlip, action: str, detail: str, success: bool = True) -> None:
    about = f"papillon de {one.slip.ine} (document {one.document.id}) {detail}"
    documents.record_use(actor, action, one.document, about, success)


def export(actor: Actor, document_id: int, ine: str, path: Path | str, site_url: str) -> Path:
    """Write the pupil's slip alone to ``path`` (a new file, or an existing folder)."""
    one = render(actor, document_id, ine, site_url)
    target = documents.write_to_path(path, one.file_name, one.data)
    _record(actor, one, "document.export", f"-> {target}")
    return target.resolve()


def save_in_school(
    actor: Actor, document_id: int, ine: str, folder: Path, typed: str, site_url: str
) -> Path:
    """Write the pupil's slip alone into the school's documents/ folder (the TUI's save:
    same rules as a whole document's, never a replaced file nor a followed link)."""
    one = render(actor, document_id, ine, site_url)
    written = files.save_bytes(folder, typed, one.file_name, one.data)
    _record(actor, one, "document.export", f"-> {written}")
    return written


def proposed_name(actor: Actor, document_id: int, ine: str, folder: Path) -> str:
    """The name the save prompt offers for a pupil's slip, free in documents/."""
    info, _ = documents.fetch(actor, document_id)
    return files.free_name(folder / files.DOCUMENTS, slip_file_name(info, ine))


def print_slip(
    actor: Actor, document_id: int, ine: str, site_url: str, printer: str | None = None
) -> printing.PrintJob:
    """Send the pupil's slip alone to the printer (checked first); audited either way."""
    one = render(actor, document_id, ine, site_url)
    try:
        job = printing.send(printer, TITLE_ONE, one.data)
    except Refused as error:
        _record(
            actor,
            one,
            "document.print",
            f"-> {printer or 'imprimante par défaut'} : {error.message}",
            success=False,
        )
        raise
    _record(actor, one, "document.print", f"-> {job.printer} : travail {job.job_id}")
    return job
