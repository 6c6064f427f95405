"""Printing a stored document with CUPS (`lp`), and listing printers with `lpstat`."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from cyclades_tui.services import audit
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.documents import fetch, write_private
from cyclades_tui.services.errors import Refused
from cyclades_tui.services.runtime import db_errors
from cyclades_tui.services.schools import require_school

NO_CUPS = ("Aucun système d'impression (CUPS) n'est installé sur ce serveur : enregistrez le "
           "document dans un fichier puis imprimez-le depuis un autre poste.")


def printing_available() -> bool:
    """True when the `lp` command exists."""
    return shutil.which("lp") is not None


def list_printers() -> tuple[list[str], str | None]:
    """Printer names known to CUPS and the default one (empty list without `lpstat`)."""
    if shutil.which("lpstat") is None:
        return [], None
    try:
        names = subprocess.run(["lpstat", "-e"], capture_output=True, text=True, timeout=10)
        default = subprocess.run(["lpstat", "-d"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return [], None
    printers = [line.strip() for line in names.stdout.splitlines() if line.strip()]
    chosen = None
    if ":" in default.stdout:
        chosen = default.stdout.split(":", 1)[1].strip() or None
    return printers, chosen


def print_document(actor: Actor, document_id: int, printer: str | None = None) -> str:
    """Send a stored document to a printer; returns what `lp` said (the job id)."""
    if not printing_available():
        raise Refused(NO_CUPS)
    info, data = fetch(actor, document_id)
    # lp reads the file after we return; a private temporary file keeps the slips unreadable
    # by other users of the server, and is removed once lp has queued it.
    fd, name = tempfile.mkstemp(prefix="cyclades-", suffix=".pdf")
    os.close(fd)
    path = Path(name)
    try:
        write_private(path, data, overwrite=True)  # our own mkstemp file
        command = ["lp", "-t", info.title]
        if printer:
            command += ["-d", printer]
        try:
            done = subprocess.run([*command, str(path)], capture_output=True, text=True,
                                  timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise Refused(f"L'impression a échoué : {error}.") from None
    finally:
        path.unlink(missing_ok=True)
    if done.returncode != 0:
        raise Refused(f"L'impression a échoué : {done.stderr.strip() or 'erreur de lp'}.")
    with db_errors():
        school = require_school(actor, info.school)
        audit.record(actor, "document.print", school,
                     f"document {document_id} -> {printer or 'imprimante par défaut'}")
    return done.stdout.strip()
