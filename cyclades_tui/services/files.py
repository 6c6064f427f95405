"""Each school's own folder on the server, and the confinement of staff file prompts to it.

Layout: ``<files>/<UAI>/depot`` receives the exports staff bring (CSV, SIECLE), over SFTP;
``<files>/<UAI>/documents`` receives the documents they save from the TUI. ``<files>`` is the
``files`` setting, or ``fichiers`` beside the SQLite database (the user data folder for
PostgreSQL).

Every path a staff member types in the TUI goes through :func:`confine`: relative to the
prompt's own folder, never outside the school's folder (absolute paths elsewhere, ``..``,
symbolic links leading out are refused), and the refusal reads the same whether or not the
path exists, so that nothing is learnt about the rest of the server. The operator's CLI
(`cyclades-tui import FILE`, `documents export`) is not confined: who has a shell on the
server has its files already.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from cyclades_tui.services import audit
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.documents import fetch
from cyclades_tui.services.errors import BadInput
from cyclades_tui.services.runtime import db_errors
from cyclades_tui.services.schools import require_school
from cyclades_tui.settings import Settings

INCOMING = "depot"
DOCUMENTS = "documents"
# Larger than any import accepts: the importers report a too-large file themselves.
READ_LIMIT = 64 * 1024 * 1024
_UAI = re.compile(r"\d{7}[A-Z]")


def files_root(db_url: str | None, settings: Settings) -> Path:
    """The folder holding one folder per school (setting ``files``, else beside the database)."""
    return settings.files_root(db_url).expanduser().absolute()


def school_folder(root: Path, uai: str) -> Path:
    """``<root>/<UAI>`` with its ``depot`` and ``documents`` folders, created when missing.

    Created private to the service account; an administrator who serves them over SFTP
    creates them beforehand with the ownership the README gives, which is kept as it is.
    """
    if not _UAI.fullmatch(uai):  # never a path fragment: a UAI is 7 digits and a letter
        raise BadInput(f"UAI « {uai} » invalide.")
    folder = root / uai
    try:
        for sub in (INCOMING, DOCUMENTS):
            (folder / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BadInput(f"Le dossier de l'établissement « {folder} » n'existe pas et ne peut pas "
                       f"être créé ({error.strerror}) : prévenez l'administrateur.") from None
    return folder


def outside(folder: Path) -> str:
    """The refusal for any path outside the school's folder (exists or not: same words)."""
    return (f"Chemin refusé : seuls les fichiers du dossier de l'établissement « {folder} » sont "
            f"accessibles (exports déposés dans « {INCOMING}/ », documents enregistrés dans "
            f"« {DOCUMENTS}/ »).")


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def confine(folder: Path, typed: str, base: str) -> Path:
    """The path ``typed`` by a staff member, relative to ``folder/base``, checked to stay in
    ``folder`` once every symbolic link is followed; raises BadInput naming the folder."""
    text = typed.strip()
    if not text or "\x00" in text:
        raise BadInput(outside(folder))
    candidate = Path(text)
    if ".." in candidate.parts or text.startswith("~"):
        raise BadInput(outside(folder))
    if not candidate.is_absolute():
        candidate = folder / base / candidate
    real_folder = os.path.realpath(folder)
    # Lexically first (an absolute path elsewhere), then with the links resolved (a link
    # in the folder pointing out of it): both refusals say the same thing.
    if not _inside(os.path.normpath(candidate), os.path.normpath(folder)) and not _inside(
            os.path.normpath(candidate), real_folder):
        raise BadInput(outside(folder))
    if not _inside(os.path.realpath(candidate), real_folder):
        raise BadInput(outside(folder))
    return Path(os.path.realpath(candidate))


def shown(folder: Path, path: Path) -> str:
    """A path as staff see it: relative to their school's folder."""
    try:
        return str(path.relative_to(os.path.realpath(folder)))
    except ValueError:
        return str(path)


def read_confined(folder: Path, typed: str, base: str = INCOMING) -> bytes:
    """The bytes of a file of the school's folder (an import), without following a link
    swapped in after the check."""
    path = confine(folder, typed, base)
    name = shown(folder, path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise BadInput(f"Fichier « {name} » introuvable dans le dossier de l'établissement "
                       f"« {folder} ».", [f"Fichier : {name} introuvable"]) from None
    except OSError as error:
        if error.errno == errno.ELOOP:  # the last component became a link after the check
            raise BadInput(outside(folder)) from None
        raise BadInput(f"Fichier « {name} » illisible : {error.strerror}.",
                       [f"Fichier : {error.strerror}"]) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise BadInput(f"« {name} » n'est pas un fichier.", [f"Fichier : {name}"])
        return handle.read(READ_LIMIT + 1)


def free_name(directory: Path, name: str) -> str:
    """``name``, or ``stem-2.ext``, ``stem-3.ext``… : the first one not taken in ``directory``."""
    candidate, number = name, 1
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    while os.path.lexists(directory / candidate):
        number += 1
        candidate = f"{stem}-{number}{dot}{ext}"
    return candidate


def _make_folders(path: Path) -> None:
    """Create ``path`` and its missing parents with their parent's mode (setgid included):
    in a folder shared with the school's SFTP account, a new sub-folder is shared too."""
    if path.is_dir():
        return
    _make_folders(path.parent)
    path.mkdir()
    os.chmod(path, stat.S_IMODE(path.parent.stat().st_mode))


def proposed_name(actor: Actor, document_id: int, folder: Path) -> str:
    """The file name the save prompt offers: the document's own name, free in documents/."""
    info, _ = fetch(actor, document_id)
    return free_name(folder / DOCUMENTS, info.file_name)


def save_document(actor: Actor, document_id: int, folder: Path, typed: str) -> Path:
    """Write a stored document into the school's folder (a name or a folder ending in « / »,
    relative to documents/); never replaces a file, never follows a link."""
    info, data = fetch(actor, document_id)
    target = confine(folder, typed, DOCUMENTS)
    if typed.rstrip().endswith("/") or target.is_dir():
        _make_folders(target)
        target = target / free_name(target, info.file_name)
    name = shown(folder, target)
    try:
        _make_folders(target.parent)
        confine(folder, str(target), DOCUMENTS)  # a link may have appeared on the way
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o640)
    except FileExistsError:
        free = free_name(target.parent, target.name)
        raise BadInput(f"« {name} » existe déjà : choisissez un autre nom (rien n'a été "
                       f"remplacé ; « {free} » est libre).") from None
    except OSError as error:
        raise BadInput(f"Impossible d'écrire « {name} » : {error.strerror}.") from None
    try:
        # Readable by the folder's group: the school's SFTP account takes the PDF back.
        os.fchmod(fd, 0o640)
        with os.fdopen(fd, "wb", closefd=False) as handle:
            handle.write(data)
    except OSError as error:
        target.unlink(missing_ok=True)  # no half-written document
        raise BadInput(f"Impossible d'écrire « {name} » : {error.strerror}.") from None
    finally:
        os.close(fd)
    with db_errors():
        audit.record(actor, "document.export", require_school(actor, info.school),
                     f"document {document_id} -> {target}")
    return target


def folder_for(db_url: str | None, uai: str, settings: Settings) -> Path:
    """The school's folder for a TUI session on ``db_url`` (created when missing)."""
    return school_folder(files_root(db_url, settings), uai)
