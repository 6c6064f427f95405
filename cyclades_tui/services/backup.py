"""Backups: a consistent copy of the database, which holds the only copies of the slips.

SQLite is copied with its online backup API: the copy is one consistent snapshot even while
another process generates accounts (WAL readers do not block writers, nor the reverse).
PostgreSQL is dumped with ``pg_dump -Fc`` when it is installed; otherwise the command to
run is given. Either way the backup is a new file, readable by its owner only, and never
replaces an existing file: a backup holds passwords, and an old backup may be the only one.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sqlite3
import stat
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from cyclades_tui.os_error_text import os_error_text
from cyclades_tui.services import faults, private_files
from cyclades_tui.services.errors import BadInput, Refused
from cyclades_tui.store.database import SQLITE_BUSY_TIMEOUT_MS, DatabaseUrl, parse_url

# Where a test kills a backup that is copied but not yet given its name.
FAULT_COPIED = "backup.copied"


@dataclass(frozen=True)
class BackupResult:
    """A finished backup: the file written, its size, and how it was made."""

    path: Path
    size: int
    method: str  # "sqlite" or "pg_dump"


class PgDumpMissing(Refused):
    """``pg_dump`` is not installed here; ``command`` is what to run where it is."""

    def __init__(self, command: str) -> None:
        super().__init__(
            "pg_dump est introuvable sur ce serveur : aucune sauvegarde n'a été faite. "
            "Installez le client PostgreSQL (paquet postgresql-client) ou lancez, depuis une "
            "machine qui l'a, la commande ci-dessous (mot de passe demandé ou lu dans "
            "~/.pgpass) :"
        )
        self.command = command
        self.details = (command,)


_DATABASE = r'database "([^"]*)"'
_ROLE = r'role "([^"]*)"'


_DATABASE = r'database "([^"]*)"'
_ROLE = r'role "([^"]*)"'


def _quoted(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    return found[1] if found else "?"


def pg_dump_reason(stderr: str, info: DatabaseUrl) -> str | None:
    """pg_dump's (English) complaint in French words, or None when it is not a known one.

    pg_dump runs with ``LC_MESSAGES=C``, so its wording is known; nothing of it is shown
    as it is (the user reads French only).
    """
    where = f"hôte {info.host or 'local'}" + (f", port {info.port}" if info.port else "")
    if "database" in stderr and "does not exist" in stderr:
        return f"la base « {_quoted(_DATABASE, stderr)} » n'existe pas ({where})"
    if "role" in stderr and "does not exist" in stderr:
        return f"l'utilisateur PostgreSQL « {_quoted(_ROLE, stderr)} » n'existe pas ({where})"
    if "password authentication failed" in stderr or "no password supplied" in stderr:
        return f"authentification refusée par le serveur PostgreSQL ({where})"
    if (
        "Connection refused" in stderr
        or "could not translate host name" in stderr
        or "timeout expired" in stderr
        or "No route to host" in stderr
        or "could not connect" in stderr
    ):
        return f"serveur PostgreSQL injoignable ({where})"
    if "no matching schemas were found" in stderr:
        return f"le schéma « {info.schema} » n'existe pas dans la base « {info.name} »"
    if "permission denied" in stderr:
        return "droits insuffisants : l'utilisateur de l'URL ne peut pas lire toute la base"
    if "No space left on device" in stderr:
        return "disque plein"
    if "server version mismatch" in stderr:
        return (
            "pg_dump est plus ancien que le serveur : installez le client PostgreSQL de "
            "la version du serveur"
        )
    if "could not write" in stderr:
        return "le fichier de sauvegarde n'a pas pu être écrit"
    return None


def _exists(target: Path) -> BadInput:
    return BadInput(
        f"« {target} » existe déjà : une sauvegarde ne remplace jamais un "
        "fichier ; choisissez un autre nom."
    )


def _new_private_file(target: Path) -> tuple[int, str, int]:
    """A temporary file (mode 0600) beside ``target``: (folder fd, its name, its fd).

    The copy is written there and only takes the name ``target`` once complete (see
    ``_publish``): a backup cut short (a dropped SSH connection) never looks finished.
    """
    try:
        if target.is_dir():
            raise BadInput(f"« {target} » est un dossier : donnez le nom du fichier de sauvegarde.")
        if not target.parent.is_dir():
            raise BadInput(f"Dossier « {target.parent} » introuvable : créez-le d'abord.")
        if os.path.lexists(target):  # said before copying; _publish checks again at the end
            raise _exists(target)
        folder = private_files.open_folder(target.parent)
    except OSError as error:
        raise BadInput(f"Impossible de créer « {target} » : {os_error_text(error)}.") from None
    try:
        temp, fd = private_files.create_temp(folder, stat.S_IRUSR | stat.S_IWUSR)
    except OSError as error:
        os.close(folder)
        raise BadInput(f"Impossible de créer « {target} » : {os_error_text(error)}.") from None
    return folder, temp, fd


def _publish(folder: int, temp: str, target: Path) -> None:
    """Give the finished copy its name; never replaces a file, even one created meanwhile."""
    faults.checkpoint(FAULT_COPIED)
    try:
        private_files.publish(folder, temp, target.name)
    except FileExistsError:
        raise _exists(target) from None
    except OSError as error:
        raise BadInput(f"Impossible de créer « {target} » : {os_error_text(error)}.") from None


def backup(url: str, target: Path | str, busy_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> BackupResult:
    """Copy the database of ``url`` into the new file ``target``."""
    info = parse_url(url)
    path = Path(target).expanduser().absolute()
    if info.kind == "sqlite":
        return _backup_sqlite(Path(info.path).expanduser(), path, busy_ms)
    return _backup_postgresql(info, path)


def _backup_sqlite(source: Path, target: Path, busy_ms: int) -> BackupResult:
    if not source.is_file():
        # Opening it would create an empty database: say it is not there instead.
        raise BadInput(f"Base de données « {source} » introuvable : rien à sauvegarder.")
    if source.resolve() == target.resolve():
        raise BadInput("La sauvegarde doit être un autre fichier que la base elle-même.")
    folder, temp, fd = _new_private_file(target)
    os.close(fd)
    copy = target.parent / temp
    try:
        try:
            with (
                closing(sqlite3.connect(source, timeout=busy_ms / 1000)) as src,
                closing(sqlite3.connect(copy)) as dst,
            ):
                # pages=-1: the whole database in one step, i.e. from one read transaction,
                # hence one consistent snapshot even while a generation is writing.
                src.backup(dst, pages=-1)
                # The copy is one self-contained file (no -wal beside it), checked before we
                # say it is done.
                dst.execute("PRAGMA journal_mode=DELETE")
                verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
                if verdict != "ok":
                    raise Refused(
                        f"La copie ne se relit pas correctement ({verdict}) ; elle a été supprimée."
                    )
            with open(copy, "rb+") as written:
                os.fsync(written.fileno())
        except sqlite3.Error as error:
            private_files.discard(folder, temp)
            text = str(error).lower()
            reason = (
                "la base est verrouillée depuis trop longtemps"
                if "locked" in text or "busy" in text
                else "la base n'a pas pu être lue"
            )
            raise Refused(f"Sauvegarde impossible : {reason} ; rien n'a été écrit.") from None
        except BaseException:
            # Interrupted or failed: no half-written copy stays behind.
            private_files.discard(folder, temp)
            raise
        _publish(folder, temp, target)
    finally:
        os.close(folder)
    return BackupResult(path=target, size=target.stat().st_size, method="sqlite")


def pg_dump_options(info: DatabaseUrl) -> list[str]:
    """``pg_dump`` options for the database of ``info`` (the password is never among them)."""
    options = ["-Fc"]
    if info.host:
        options += ["-h", info.host]
    if info.port:
        options += ["-p", str(info.port)]
    if info.user:
        options += ["-U", info.user]
    if info.schema:
        options += ["-n", info.schema]
    return options


def _backup_postgresql(info: DatabaseUrl, target: Path) -> BackupResult:
    program = shutil.which("pg_dump")
    if program is None:
        raise PgDumpMissing(
            shlex.join(["pg_dump", *pg_dump_options(info), "-f", str(target), info.name])
        )
    folder, temp, fd = _new_private_file(target)
    # LC_MESSAGES=C: pg_dump's complaint in known words, which pg_dump_reason translates.
    env = {**os.environ, "LC_MESSAGES": "C", "LC_ALL": "", "LANGUAGE": ""}
    if info.password:
        env["PGPASSWORD"] = info.password  # the child's environment, never its command line
    # pg_dump writes to our 0600 file through its standard output, not to a file it creates.
    args = [program, *pg_dump_options(info), "--no-password", info.name]
    try:
        try:
            with os.fdopen(fd, "wb") as out:
                done = subprocess.run(
                    args,
                    stdout=out,
                    stderr=subprocess.PIPE,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    check=False,
                )
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            private_files.discard(folder, temp)
            raise
        if done.returncode != 0:
            private_files.discard(folder, temp)
            reason = pg_dump_reason(done.stderr.decode("utf-8", "replace"), info)
            failure = Refused(
                "La sauvegarde PostgreSQL a échoué : "
                + (
                    reason
                    if reason
                    else f"pg_dump s'est arrêté (code {done.returncode}) "
                    "pour une raison qu'il ne précise pas en français ; lancez la commande "
                    "ci-dessous pour la voir"
                )
                + " ; rien n'a été écrit."
            )
            if reason is None:
                failure.details = (
                    shlex.join(["pg_dump", *pg_dump_options(info), "-f", str(target), info.name]),
                )
            raise failure
        _publish(folder, temp, target)
    finally:
        os.close(folder)
    return BackupResult(path=target, size=target.stat().st_size, method="pg_dump")
