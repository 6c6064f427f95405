"""Printing a stored document with CUPS (`lp`), and listing printers with `lpstat`.

The PDF goes to `lp` on its standard input: no copy of the slips (which hold passwords) is
ever written to a temporary file by us. Before sending, the queue is checked, so that a
paused printer does not print the slips unattended later, and every outcome is told in
French: CUPS' own messages are English (and localised differently on every server), so the
tools run with ``LC_ALL=C``, their output is parsed, and never shown to the user.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from cyclades_tui.services.actor import Actor
from cyclades_tui.services.documents import fetch, record_use
from cyclades_tui.services.errors import Refused

# A question to the scheduler must not freeze the screen: cupsd answers in milliseconds.
QUERY_TIMEOUT_S = 5.0
# Sending a large document through the local socket takes longer than a question.
SEND_TIMEOUT_S = 60.0

SAVE_INSTEAD = (
    "Rien n'a été imprimé : enregistrez le document dans un fichier (« Enregistrer ») "
    "puis imprimez-le depuis un autre poste, ou prévenez l'administrateur."
)
NO_CUPS = (
    "Aucun système d'impression (CUPS) n'est installé sur ce serveur : enregistrez le "
    "document dans un fichier puis imprimez-le depuis un autre poste."
)
NOT_ANSWERING = f"Le service d'impression (CUPS) ne répond pas sur ce serveur. {SAVE_INSTEAD}"
NO_DEFAULT = (
    "Aucune imprimante par défaut n'est définie sur ce serveur (ou aucune imprimante "
    f"n'y est installée). {SAVE_INSTEAD}"
)

# CUPS forbids these in a destination name; a leading « - » would read as an option.
_VALID_NAME = re.compile(r"[^\s/#\-\x00-\x1f\x7f][^\s/#\x00-\x1f\x7f]*")
_JOB_ID = re.compile(r"request id is (\S+)")
# Network devices CUPS reaches over TCP, and their usual ports.
_DEFAULT_PORTS = {"socket": 9100, "ipp": 631, "ipps": 631, "http": 631, "https": 631, "lpd": 515}
CONNECT_TIMEOUT_S = 3.0
# How long a sent job may take to reach the printer before it is withdrawn.
JOB_START_S = 15.0
# What CUPS' network backends say while they cannot reach the printer.
# « Waiting for printer to finish. » is the socket backend's normal word once the data is
# sent: not a stall (matching it withdrew a job that was printing).
_STALLED = re.compile(
    r"unable to connect|waiting for printer(?! to finish)|not responding|"
    r"connection refused|unreachable|network host",
    re.IGNORECASE,
)


def no_such_printer(name: str) -> str:
    """The message for a queue CUPS does not know."""
    return f"L'imprimante « {name} » n'existe pas sur ce serveur. {SAVE_INSTEAD}"


def printer_stopped(name: str) -> str:
    """The message for a paused (disabled) queue: it would print later, unattended."""
    return (
        f"L'imprimante « {name} » est arrêtée (en pause) : le document n'a pas été envoyé, "
        f"pour que les papillons ne sortent pas plus tard sans surveillance. {SAVE_INSTEAD}"
    )


def printer_rejecting(name: str) -> str:
    """The message for a queue that refuses new jobs."""
    return f"L'imprimante « {name} » refuse les nouveaux travaux. {SAVE_INSTEAD}"


def printer_unreachable(name: str) -> str:
    """The message for a queue whose printer does not answer on the network."""
    return (
        f"L'imprimante « {name} » ne répond pas (éteinte, débranchée ou injoignable) : le "
        "document n'a pas été envoyé, pour que les papillons ne sortent pas plus tard sans "
        f"surveillance. {SAVE_INSTEAD}"
    )


def printing_available() -> bool:
    """True when the `lp` and `lpstat` commands exist."""
    return shutil.which("lp") is not None and shutil.which("lpstat") is not None


def _c_locale() -> dict[str, str]:
    """The environment with CUPS' messages in English, the only output we parse."""
    env = dict(os.environ)
    env.pop("LANGUAGE", None)
    env.update(LC_ALL="C", LANG="C")
    return env


def _lpstat(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `lpstat` in the C locale with a short timeout (raises Refused if cupsd hangs)."""
    try:
        return subprocess.run(
            ["lpstat", *args],
            capture_output=True,
            text=True,
            timeout=QUERY_TIMEOUT_S,
            env=_c_locale(),
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise Refused(NOT_ANSWERING) from None
    except OSError:
        raise Refused(NO_CUPS) from None


def list_printers() -> tuple[list[str], str | None]:
    """Printer names known to CUPS and the default one (empty list without CUPS)."""
    if shutil.which("lpstat") is None:
        return [], None
    try:
        names = _lpstat("-e")
        default = _lpstat("-d")
    except Refused:
        return [], None
    printers = [line.strip() for line in names.stdout.splitlines() if line.strip()]
    return printers, _default_from(default.stdout)


def _default_from(output: str) -> str | None:
    match = re.search(r"system default destination: (\S+)", output)
    return match.group(1) if match else None


def check_queue(printer: str | None) -> str:
    """The queue a job would go to, once checked ready; raises Refused (French) otherwise."""
    if not printing_available():
        raise Refused(NO_CUPS)
    if "scheduler is running" not in _lpstat("-r").stdout:
        raise Refused(NOT_ANSWERING)
    if printer is None:
        printer = _default_from(_lpstat("-d").stdout)
        if printer is None:
            raise Refused(NO_DEFAULT)
    if not _VALID_NAME.fullmatch(printer):
        raise Refused(no_such_printer(printer))
    state = _lpstat("-p", printer)
    line = next((x for x in state.stdout.splitlines() if x.startswith(f"printer {printer} ")), None)
    if state.returncode != 0 or line is None:
        # lpstat says « Invalid destination » for an unknown queue, and nothing useful
        # when the scheduler died between the two questions: tell which one it is.
        if "scheduler is running" not in _lpstat("-r").stdout:
            raise Refused(NOT_ANSWERING)
        raise Refused(no_such_printer(printer))
    if " disabled since " in line:
        raise Refused(printer_stopped(printer))
    accepting = _lpstat("-a", printer)
    if "not accepting requests" in accepting.stdout:
        raise Refused(printer_rejecting(printer))
    if not _device_answers(printer):
        raise Refused(printer_unreachable(printer))
    return printer


def _device_answers(printer: str) -> bool:
    """False when the queue's network printer refuses a connection or does not answer.

    A job to such a printer waits in the spool and comes out later, unattended: the
    printer is asked first. Devices that are not network addresses (usb, a file) pass.
    """
    match = re.search(r"device for \S+: (\S+)", _lpstat("-v", printer).stdout)
    if match is None:
        return True
    uri = urlsplit(match.group(1))
    port = _DEFAULT_PORTS.get(uri.scheme)
    if port is None or not uri.hostname:
        return True
    try:
        with socket.create_connection((uri.hostname, uri.port or port), timeout=CONNECT_TIMEOUT_S):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class PrintJob:
    """A job CUPS accepted."""

    job_id: str
    printer: str

    @property
    def message(self) -> str:
        """What the screen says: « Travail salle-prof-12 envoyé à l'imprimante salle-prof »."""
        return f"Travail {self.job_id} envoyé à l'imprimante {self.printer}."


def _send(printer: str, title: str, data: bytes) -> str:
    """Feed ``data`` to `lp` on its standard input; returns the job id."""
    try:
        done = subprocess.run(
            ["lp", "-d", printer, "-t", title],
            input=data,
            capture_output=True,
            timeout=SEND_TIMEOUT_S,
            env=_c_locale(),
        )
    except subprocess.TimeoutExpired:
        raise Refused(NOT_ANSWERING) from None
    except OSError:
        raise Refused(NO_CUPS) from None
    output = done.stdout.decode("utf-8", "replace")
    match = _JOB_ID.search(output)
    if done.returncode != 0 or match is None:
        # The queue was ready a moment ago: find what changed, in French.
        check_queue(printer)
        raise Refused(f"L'imprimante « {printer} » a refusé le document. {SAVE_INSTEAD}")
    job_id = match.group(1)
    _withdraw_if_stalled(printer, job_id)
    return job_id


def _withdraw_if_stalled(printer: str, job_id: str) -> None:
    """Wait until the job has left the spool; cancel it (and refuse) if the printer could
    not be reached meanwhile, so that it does not print later, unattended."""
    deadline = time.monotonic() + JOB_START_S
    while True:
        waiting = _lpstat("-W", "not-completed", "-o", printer).stdout.split()
        if job_id not in waiting:
            return  # handed over to the printer
        status = _lpstat("-l", "-p", printer).stdout
        # Still in the spool at the deadline: CUPS' socket backend says nothing while it
        # retries a printer that does not answer, so a job not handed over by then is
        # withdrawn rather than left to print later.
        if _STALLED.search(status) or time.monotonic() >= deadline:
            _cancel(job_id)
            raise Refused(printer_unreachable(printer))
        time.sleep(0.2)  # the scheduler is another process: ask again shortly


def _cancel(job_id: str) -> None:
    """Withdraw a job from the spool (`cancel`), however CUPS answers."""
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        subprocess.run(
            ["cancel", job_id],
            capture_output=True,
            timeout=QUERY_TIMEOUT_S,
            env=_c_locale(),
            stdin=subprocess.DEVNULL,
            check=False,
        )


def send(printer: str | None, title: str, data: bytes) -> PrintJob:
    """Check the queue and send ``data`` to it (not audited: the caller records it)."""
    chosen = check_queue(printer)
    return PrintJob(job_id=_send(chosen, title, data), printer=chosen)


def default_queue() -> str | None:
    """The queue a job without a chosen printer would go to, for the question asked before
    printing (None when CUPS names none)."""
    printers, default = list_printers()
    return default or (printers[0] if len(printers) == 1 else None)


def print_document(actor: Actor, document_id: int, printer: str | None = None) -> PrintJob:
    """Check the queue, send a stored document to it, and record the print (or the failure)
    in the audit trail."""
    info, data = fetch(actor, document_id, "document.print")
    try:
        job = send(printer, info.title, data)
    except Refused as error:
        where = printer or "imprimante par défaut"
        detail = f"document {document_id} -> {where} : {error.message}"
        record_use(actor, "document.print", info, detail, success=False)
        raise
    detail = f"document {document_id} -> {job.printer} : travail {job.job_id}"
    record_use(actor, "document.print", info, detail)
    return job
