"""Stored documents: list (paginated), fetch, export to a file, and slip currency."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import peewee

from cyclades_tui.domain.names import display_name
from cyclades_tui.os_error_text import os_error_text
from cyclades_tui.services import audit, private_files
from cyclades_tui.services.access import require_active, require_school
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.db_session import write_transaction
from cyclades_tui.services.errors import AccessDenied, BadInput, Refused
from cyclades_tui.store.models import Account, Candidate, Document, School, Slip, tuples, utcnow


@dataclass(frozen=True)
class DocumentSummary:
    """A stored document without its bytes."""

    id: int
    title: str
    layout: int
    slips: int
    size: int
    type: str
    created_at: datetime
    created_by: str
    school: str = ""
    # The pupil of a one-slip document (« NOM Prénom (classe) »), to find a slip again.
    pupil: str = ""

    def as_json(self) -> dict[str, object]:
        """The JSON shape of `documents list --json` (docs/cli.md)."""
        return {
            "id": self.id,
            "title": self.title,
            "layout": self.layout,
            "slips": self.slips,
            "size": self.size,
            "type": self.type,
            "created_at": self.created_at.isoformat(timespec="seconds") + "Z",
            "created_by": self.created_by,
        }

    @property
    def file_name(self) -> str:
        """A file name that says what the document is and keeps documents apart."""
        stamp = self.created_at.strftime("%Y%m%d-%H%M%S")
        kind = "papillons" if self.slips > 1 or self.title.startswith("Papillons") else "papillon"
        return f"{self.school or 'doc'}-{stamp}-{kind}-{self.layout}par-page-{self.id}.pdf"


_SUMMARY_FIELDS = (
    Document.id,
    Document.title,
    Document.layout,
    Document.slips,
    Document.size,
    Document.type,
    Document.created_at,
    Document.created_by,
)


def summary(document: Document, school_uai: str | None = None, pupil: str = "") -> DocumentSummary:
    """The bytes-free view of a document row."""
    uai = (
        school_uai
        if school_uai is not None
        else (document.school.uai if document.school_id is not None else "")
    )
    fields = {field.name: getattr(document, field.name) for field in _SUMMARY_FIELDS}
    return DocumentSummary(**fields, school=uai, pupil=pupil)


def _matching(school: School, search: str | None) -> peewee.Expression:
    """Documents of ``school``, and when ``search`` is given, only those holding the slip of
    a pupil whose name, INE or class contains every word of it."""
    condition = Document.school == school
    for word in (search or "").split():
        pupils = (
            Candidate.family_name.contains(word)
            | Candidate.usage_name.contains(word)
            | Candidate.first_name.contains(word)
            | Candidate.ine.contains(word)
            | Candidate.division.contains(word)
        )
        holding = (
            Slip.select(Slip.document)
            .join(Account)
            .join(Candidate)
            .where((Candidate.school == school) & pupils)
        )
        condition &= Document.id.in_(holding)
    return condition


def count_documents(actor: Actor, uai: str, search: str | None = None) -> int:
    """How many documents the school has (matching ``search``: see list_documents)."""
    school = require_school(actor, uai)
    with db_errors():
        return int(Document.select().where(_matching(school, search)).count())


def list_documents(
    actor: Actor,
    uai: str,
    offset: int = 0,
    limit: int | None = None,
    search: str | None = None,
) -> list[DocumentSummary]:
    """The school's documents, newest first, without loading their bytes.

    A one-slip document names its pupil; ``search`` keeps the documents holding the slip of
    a pupil whose name, INE or class contains every word of it.
    """
    school = require_school(actor, uai)
    with db_errors():
        query = (
            Document.select(*_SUMMARY_FIELDS)
            .where(_matching(school, search))
            .order_by(Document.created_at.desc(), Document.id.desc())
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        docs = list(query)
        single = [d.id for d in docs if d.slips == 1]
        pupils: dict[int, str] = {}
        if single:
            for doc_id, family, usage, first, division in tuples(
                Slip.select(
                    Slip.document,
                    Candidate.family_name,
                    Candidate.usage_name,
                    Candidate.first_name,
                    Candidate.division,
                )
                .join(Account)
                .join(Candidate)
                .where(Slip.document.in_(single))
            ):
                pupils[doc_id] = f"{display_name(family, usage, first)} ({division})"
        return [summary(d, school.uai, pupils.get(d.id, "")) for d in docs]


def _owned_document(actor: Actor, document_id: int, action: str) -> tuple[Document, School]:
    with db_errors():
        document = (
            Document.select(Document, School).join(School).where(Document.id == document_id).first()
        )
    if document is None or not actor.may_act_for(document.school.uai):
        # Checked again now, not only at login: a disabled account's session stops here.
        require_active(actor, action)
        # Same words as a missing document: staff learn nothing of other schools' documents.
        if document is None:
            raise Refused(f"Document {document_id} introuvable.")
        raise AccessDenied(f"Document {document_id} introuvable.")
    require_active(actor, action, document.school)
    return document, document.school


def fetch(
    actor: Actor, document_id: int, action: str = "document.fetch"
) -> tuple[DocumentSummary, bytes]:
    """A document's summary and PDF bytes, if the actor's school owns it and the actor's
    account is still active (checked now: a session outlives a disabled account)."""
    document, school = _owned_document(actor, document_id, action)
    return summary(document, school.uai), bytes(document.data)


def record_use(
    actor: Actor, action: str, document: DocumentSummary, detail: str, success: bool = True
) -> None:
    """Audit what was done with a fetched document (exported, printed), for its school."""
    with db_errors():
        school = require_school(actor, document.school)
        audit.record(actor, action, school, detail, success=success)


def _first_missing_folder(folder: Path) -> Path | None:
    """The highest missing folder on the way to ``folder`` (None when it exists)."""
    missing = None
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate):
            break
        missing = candidate
    return missing


def refuse_links(target: Path) -> None:
    """Refuse a path that goes through a symbolic link: its last name or any folder on it.

    A link the user did not notice (or one a colleague planted in a shared folder) would
    send slips, and their passwords, wherever it points; nothing is ever written through one.
    """
    current = Path(target.absolute().anchor)
    for part in target.absolute().parts[1:]:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return  # the rest of the path does not exist yet: refused as missing by the caller
        except OSError as error:
            raise BadInput(
                f"Impossible d'écrire « {target} » : {os_error_text(error)}.",
                [f"Chemin : {os_error_text(error)}"],
            ) from None
        if stat.S_ISLNK(mode):
            raise BadInput(
                f"« {target} » passe par un lien symbolique (« {current} ») : refusé, rien n'a "
                "été écrit. Indiquez le chemin réel du dossier.",
                [f"Chemin : « {current} » est un lien symbolique"],
            )


def write_new_file(target: Path, data: bytes) -> None:
    """``private_files.write_private`` (a new file, owner only, never a replaced one, whole or not
    at all), its refusals told in French naming ``target``."""
    try:
        private_files.write_private(target, data)
    except FileExistsError:
        raise BadInput(
            f"« {target} » existe déjà : choisissez un autre nom (rien n'a été remplacé)."
        ) from None
    except OSError as error:
        raise BadInput(f"Impossible d'écrire « {target} » : {os_error_text(error)}.") from None


def write_to_path(path: Path | str, default_name: str, data: bytes) -> Path:
    """Write ``data`` to the path an operator typed: a new file, or a folder to put it in
    under ``default_name`` (an existing folder, or a path ending in « / »). Never through
    a symbolic link; returns the path written."""
    target = Path(path).expanduser()
    refuse_links(target)
    try:
        if str(path).endswith(os.sep) or target.is_dir():
            target = target / default_name
        # A missing folder is refused, not created: a typo in the path must not leave a
        # tree of folders behind, nor put passwords somewhere nobody will look.
        missing = _first_missing_folder(target.parent)
    except OSError as error:
        raise BadInput(f"Impossible d'écrire « {target} » : {os_error_text(error)}.") from None
    if missing is not None:
        raise BadInput(
            f"Dossier « {missing} » introuvable : créez-le d'abord ou donnez "
            "un dossier existant (rien n'a été écrit)."
        )
    write_new_file(target, data)
    return target


def export(actor: Actor, document_id: int, path: Path | str) -> Path:
    """Write one stored document to ``path``: a new file, or a folder to put it in (an
    existing folder, or a path ending in « / »)."""
    info, data = fetch(actor, document_id, "document.export")
    target = write_to_path(path, info.file_name, data)
    record_use(actor, "document.export", info, f"document {document_id} -> {target}")
    return target.resolve()


@dataclass(frozen=True)
class SlipPreview:
    """One slip of a stored document, read back from the PDF, and whether it still works."""

    login: str
    password: str
    current: bool
    # Who the slip is for, from the database (a slip's login names its account).
    name: str = ""
    division: str = ""
    ine: str = ""

    def __repr__(self) -> str:  # the password must not leak into logs or tracebacks
        return f"SlipPreview(login={self.login!r}, current={self.current})"


def preview(actor: Actor, document_id: int) -> list[SlipPreview]:
    """The slips of a document as text, each marked current or replaced by a newer password."""
    # pypdf is imported on first use: the TUI starts faster without it.
    from cyclades_tui.pdf.readback import read_credentials

    info, data = fetch(actor, document_id, "document.preview")
    with db_errors():
        current_logins = {
            row[0]
            for row in tuples(
                Slip.select(Account.login)
                .join(Account)
                .where(
                    (Slip.document == info.id) & (Slip.password_version == Account.password_version)
                )
            )
        }
        pupils = {
            login: (display_name(family, usage, first), division, ine)
            for login, family, usage, first, division, ine in tuples(
                Slip.select(
                    Account.login,
                    Candidate.family_name,
                    Candidate.usage_name,
                    Candidate.first_name,
                    Candidate.division,
                    Candidate.ine,
                )
                .join(Account)
                .join(Candidate)
                .where(Slip.document == info.id)
            )
        }
    with db_errors():
        school = require_school(actor, info.school)
        audit.record(actor, "document.preview", school, f"document {document_id}")
    return [
        SlipPreview(
            login=login,
            password=password,
            current=login in current_logins,
            name=pupils.get(login, ("", "", ""))[0],
            division=pupils.get(login, ("", "", ""))[1],
            ine=pupils.get(login, ("", "", ""))[2],
        )
        for login, password in read_credentials(data)
    ]


def purge(actor: Actor, older_than_days: int, uai: str | None = None) -> int:
    """Delete the documents older than ``older_than_days`` (of one school, or of all the
    schools the actor may act for); returns how many were deleted.

    A stored document holds the only copies of passwords: once purged, a pupil who lost
    their slip gets a new password by regeneration.
    """
    if older_than_days < 0:
        raise BadInput("--older-than : un nombre de jours positif ou nul est attendu.")
    if uai is not None:
        targets = [require_school(actor, uai)]
    elif actor.is_school_staff and actor.school_uai is not None:
        targets = [require_school(actor, actor.school_uai)]
    else:
        with db_errors():
            targets = list(School.select())
    limit = utcnow() - timedelta(days=older_than_days)
    total = 0
    db = Document._meta.database
    with write_transaction(db):
        for school in targets:
            old = Document.select(Document.id).where(
                (Document.school == school) & (Document.created_at < limit)
            )
            count = old.count()
            if not count:
                continue
            Slip.delete().where(Slip.document.in_(old)).execute()
            Document.delete().where(
                (Document.school == school) & (Document.created_at < limit)
            ).execute()
            audit.record(
                actor,
                "document.purge",
                school,
                f"{count} document(s) de plus de {older_than_days} jour(s) supprimé(s)",
            )
            total += count
    return total
