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
import heapq
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cyclades_tui.domain.identifiers import has_uai_form
from cyclades_tui.os_error_text import os_error_text
from cyclades_tui.services import private_files
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.documents import fetch, record_use
from cyclades_tui.services.errors import BadInput

INCOMING = "depot"
DOCUMENTS = "documents"
# Larger than any import accepts: the importers report a too-large file themselves.
READ_LIMIT = 64 * 1024 * 1024


def school_folder(root: Path, uai: str) -> Path:
    """``<root>/<UAI>`` with its ``depot`` and ``documents`` folders, created when missing.

    ``root`` is the folder of the schools' folders, ``Settings.files_root()`` (the TUI
    resolves it once, at start).

    Created private to the service account; an administrator who serves them over SFTP
    creates them beforehand with the ownership docs/installation.md gives, which is kept as it is.
    """
    if not has_uai_form(uai):  # never a path fragment: a UAI is 7 digits and a letter
        raise BadInput(f"UAI « {uai} » invalide.")
    folder = root / uai
    try:
        for sub in (INCOMING, DOCUMENTS):
            (folder / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BadInput(
            f"Le dossier de l'établissement « {folder} » n'existe pas et ne peut pas "
            f"être créé ({os_error_text(error)}) : prévenez l'administrateur."
        ) from None
    return folder


def outside(folder: Path) -> str:
    """The refusal for any path outside the school's folder (exists or not: same words)."""
    return (
        f"Chemin refusé : seuls les fichiers du dossier de l'établissement « {folder} » sont "
        f"accessibles (exports déposés dans « {INCOMING}/ », documents enregistrés dans "
        f"« {DOCUMENTS}/ »)."
    )


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
        os.path.normpath(candidate), real_folder
    ):
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


def _parts(folder: Path, path: Path) -> tuple[str, ...]:
    """The components of ``path`` (as :func:`confine` returns it) below the school's folder."""
    return Path(path).relative_to(os.path.realpath(folder)).parts


def _open_folders(folder: Path, parts: Sequence[str], create: bool = False) -> int:
    """An fd of ``folder/parts…``, each component opened without following a link.

    :func:`confine` checked a path with its links resolved; a link swapped in for one of its
    folders since then (the school's SFTP account owns depot/) is refused here, so the file
    is opened where it was checked or not at all. ``create``: missing folders are made
    with their parent's mode (setgid included: a sub-folder of a folder shared with the
    SFTP account is shared too).
    """
    walked: list[str] = []
    try:
        fd = private_files.open_folder(os.path.realpath(folder))
    except OSError as error:
        raise _folder_error(folder, (), error) from None
    try:
        for part in parts:
            walked.append(part)
            made = False
            if create:
                try:
                    os.mkdir(part, 0o700, dir_fd=fd)
                    made = True
                except FileExistsError:
                    pass
            try:
                child = private_files.open_folder(part, dir_fd=fd, follow=False)
            except NotADirectoryError:
                # O_NOFOLLOW | O_DIRECTORY on a link fails with ENOTDIR, as on a file.
                if stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode):
                    raise OSError(errno.ELOOP, "link") from None
                raise
            if made:
                os.fchmod(child, stat.S_IMODE(os.fstat(fd).st_mode))
            os.close(fd)
            fd = child
    except OSError as error:
        os.close(fd)
        raise _folder_error(folder, walked, error) from None
    return fd


def _folder_error(folder: Path, parts: Sequence[str], error: OSError) -> BadInput:
    name = str(Path(*parts)) if parts else str(folder)
    if error.errno == errno.ELOOP:  # a link appeared after the check
        return BadInput(outside(folder))
    if error.errno == errno.ENOTDIR:
        return BadInput(
            f"« {name} » n'est pas un dossier.", [f"Fichier : {name} n'est pas un dossier"]
        )
    if error.errno == errno.ENOENT:
        return BadInput(
            f"Dossier « {name} » introuvable dans le dossier de l'établissement « {folder} ».",
            [f"Fichier : {name} introuvable"],
        )
    reason = os_error_text(error)
    return BadInput(f"Dossier « {name} » inaccessible : {reason}.", [f"Fichier : {reason}"])


def unreadable(name: object, error: OSError) -> BadInput:
    """The refusal of a file that could not be read, naming it and saying why."""
    reason = os_error_text(error)
    return BadInput(f"Fichier « {name} » illisible : {reason}.", [f"Fichier : {reason}"])


def read_confined(folder: Path, typed: str, base: str = INCOMING) -> bytes:
    """The bytes of a file of the school's folder (an import), without following a link
    swapped in after the check; a folder, a FIFO or a device is refused without waiting."""
    path = confine(folder, typed, base)
    name = shown(folder, path)
    parts = _parts(folder, path)
    if not parts:
        raise BadInput(f"« {name} » n'est pas un fichier.", [f"Fichier : {name}"])
    dir_fd = _open_folders(folder, parts[:-1])
    try:
        # O_NONBLOCK: opening a FIFO does not wait for a writer (it is refused just below).
        fd = os.open(
            parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd
        )
    except FileNotFoundError:
        raise BadInput(
            f"Fichier « {name} » introuvable dans le dossier de l'établissement « {folder} ».",
            [f"Fichier : {name} introuvable"],
        ) from None
    except OSError as error:
        if error.errno == errno.ELOOP:  # the last component became a link after the check
            raise BadInput(outside(folder)) from None
        raise unreadable(name, error) from None
    finally:
        os.close(dir_fd)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise BadInput(f"« {name} » n'est pas un fichier.", [f"Fichier : {name}"])
        chunks: list[bytes] = []
        size = 0
        while size <= READ_LIMIT:
            chunk = os.read(fd, min(1 << 20, READ_LIMIT + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise unreadable(name, error) from None
    finally:
        os.close(fd)


@dataclass(frozen=True)
class IncomingFile:
    """A file of the school's ``depot/`` folder, as the import screens list it."""

    name: str
    size: int
    modified: datetime  # local time

    @property
    def label(self) -> str:
        """« name — JJ/MM/AAAA HH:MM — size », the size in octets, Ko or Mo."""
        if self.size < 1024:
            size = f"{self.size} o"
        elif self.size < 1024 * 1024:
            size = f"{self.size / 1024:.1f} Ko".replace(".", ",")
        else:
            size = f"{self.size / 1024 / 1024:.1f} Mo".replace(".", ",")
        return f"{self.name} — {self.modified:%d/%m/%Y %H:%M} — {size}"


def incoming_files(
    folder: Path,
    suffixes: tuple[str, ...] = (),
    limit: int = 200,
) -> list[IncomingFile]:
    """The regular files of the school's ``depot/`` folder, newest first (``limit`` at most:
    a folder of thousands of files lists only its newest), links not followed; only those
    ending with one of ``suffixes`` when given (case ignored)."""
    fd = _open_folders(folder, (INCOMING,))
    heap: list[tuple[float, str, int]] = []  # (mtime, name, size), the oldest on top
    try:
        with os.scandir(fd) as entries:
            for entry in entries:
                if suffixes and not entry.name.lower().endswith(suffixes):
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue  # removed meanwhile
                if stat.S_ISREG(info.st_mode):
                    # Only the newest ``limit`` are kept while reading: bounded memory.
                    item = (info.st_mtime, entry.name, info.st_size)
                    if len(heap) < limit:
                        heapq.heappush(heap, item)
                    else:
                        heapq.heappushpop(heap, item)
    except OSError as error:
        raise _folder_error(folder, (INCOMING,), error) from None
    finally:
        os.close(fd)
    return [
        IncomingFile(name, size, datetime.fromtimestamp(mtime))
        for mtime, name, size in sorted(heap, reverse=True)
    ]


def _taken(directory: Path | int, name: str) -> bool:
    try:
        if isinstance(directory, int):
            os.stat(name, dir_fd=directory, follow_symlinks=False)
        else:
            os.lstat(directory / name)
    except FileNotFoundError:
        return False
    return True


def free_name(directory: Path | int, name: str) -> str:
    """``name``, or ``stem-2.ext``, ``stem-3.ext``… : the first one not taken in ``directory``
    (a path, or an open folder)."""
    candidate, number = name, 1
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    while _taken(directory, candidate):
        number += 1
        candidate = f"{stem}-{number}{dot}{ext}"
    return candidate


def proposed_name(actor: Actor, document_id: int, folder: Path) -> str:
    """The file name the save prompt offers: the document's own name, free in documents/."""
    info, _ = fetch(actor, document_id)
    return free_name(folder / DOCUMENTS, info.file_name)


def save_document(actor: Actor, document_id: int, folder: Path, typed: str) -> Path:
    """Write a stored document into the school's folder (a name or a folder ending in « / »,
    relative to documents/); never replaces a file, never follows a link, never leaves a
    half-written file under the document's name."""
    info, data = fetch(actor, document_id, "document.export")
    written = save_bytes(folder, typed, info.file_name, data)
    record_use(actor, "document.export", info, f"document {document_id} -> {written}")
    return written


def save_bytes(folder: Path, typed: str, default_name: str, data: bytes) -> Path:
    """Write ``data`` as :func:`save_document` does (``default_name`` for a folder), without
    auditing: the caller records what it wrote."""
    target = confine(folder, typed, DOCUMENTS)
    parts = _parts(folder, target)
    into_folder = typed.rstrip().endswith("/") or not parts
    folder_parts = parts if into_folder else parts[:-1]
    dir_fd = _open_folders(folder, folder_parts, create=True)
    try:
        file_name = None
        if not into_folder:
            try:  # an existing folder: the document goes in it, under a free name
                inner = private_files.open_folder(parts[-1], dir_fd=dir_fd, follow=False)
            except OSError:
                file_name = parts[-1]
            else:
                os.close(dir_fd)
                dir_fd, folder_parts = inner, parts
        if file_name is None:
            file_name = free_name(dir_fd, default_name)
        name = str(Path(*folder_parts, file_name))
        try:
            # Readable by the folder's group: the school's SFTP account takes the PDF back.
            private_files.write_new(dir_fd, file_name, data, 0o640)
        except FileExistsError:
            free = free_name(dir_fd, file_name)
            raise BadInput(
                f"« {name} » existe déjà : choisissez un autre nom (rien n'a été "
                f"remplacé ; « {free} » est libre)."
            ) from None
        except OSError as error:
            raise BadInput(f"Impossible d'écrire « {name} » : {os_error_text(error)}.") from None
    finally:
        os.close(dir_fd)
    return Path(os.path.realpath(folder), *folder_parts, file_name)
