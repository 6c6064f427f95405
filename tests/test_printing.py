"""Printing to a real CUPS: a cupsd started by the test in a temporary folder, with raw queues
whose device is a TCP listener of the test, so that what reaches the "printer" is compared
byte for byte with the stored PDF.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cyclades_tui.services import accounts, documents, printing
from cyclades_tui.services.actor import operator
from cyclades_tui.services.errors import Refused
from cyclades_tui.store.models import AuditEvent
from tests.helpers import FAST_SETTINGS, Cli, import_sample


class Listener:
    """A "printer" on 127.0.0.1: accepts connections and keeps what each one sent."""

    def __init__(self, port: int = 0) -> None:
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", port))
        self.server.listen()
        self.port: int = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return  # closed by stop()
            chunks = []
            with connection:
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
            if chunks:  # not the reachability check of print_document (connects only)
                self.received.append(b"".join(chunks))

    def wait_for_job(self, timeout: float = 20.0) -> bytes:
        """The bytes of the first job, once its connection is closed."""
        deadline = time.monotonic() + timeout
        while not self.received:
            assert time.monotonic() < deadline, "l'imprimante n'a rien reçu"
            time.sleep(0.02)
        return self.received[0]

    def stop(self) -> None:
        """Stop listening: shut down first, or a thread blocked in accept() keeps the
        socket listening (Linux) and the port still takes connections."""
        with contextlib.suppress(OSError):
            self.server.shutdown(socket.SHUT_RDWR)
        self.server.close()
        self._thread.join(timeout=5)


class Cups:
    """A cupsd of the test's own: configuration, spool and socket in a temporary folder."""

    def __init__(self) -> None:
        # Not pytest's tmp_path: CUPS' backends run as user lp, who must reach the spool.
        self.dir = Path(tempfile.mkdtemp(prefix="cyclades-cups-"))
        os.chmod(self.dir, 0o755)
        self.socket = self.dir / "cups.sock"
        self.listeners: list[Listener] = []
        for sub in ("spool", "cache", "state", "tmp", "log"):
            (self.dir / sub).mkdir()
        d = self.dir
        (d / "cupsd.conf").write_text(
            f"Listen {self.socket}\nLogLevel warn\nPreserveJobFiles No\n"
            "PreserveJobHistory No\nWebInterface No\nBrowsing No\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n")
        (d / "cups-files.conf").write_text(
            f"User lp\nGroup lp\nSystemGroup root\nServerRoot {d}\nRequestRoot {d}/spool\n"
            f"CacheDir {d}/cache\nStateDir {d}/state\nTempDir {d}/tmp\n"
            f"ErrorLog {d}/log/error_log\nAccessLog {d}/log/access_log\n"
            f"PageLog {d}/log/page_log\n")
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        """Start cupsd in the foreground and wait until it answers."""
        self.socket.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            ["cupsd", "-f", "-c", str(self.dir / "cupsd.conf"),
             "-s", str(self.dir / "cups-files.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while self.run("lpstat", "-r").stdout.strip() != "scheduler is running":
            if self.process.poll() is not None:
                error = self.process.stderr.read() if self.process.stderr else b""
                pytest.fail(f"cupsd n'a pas démarré : {error.decode(errors='replace')}")
            assert time.monotonic() < deadline, "cupsd ne répond pas"
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop cupsd (SIGTERM) and wait for it."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None

    def env(self) -> dict[str, str]:
        """The environment that points CUPS' clients at this cupsd."""
        return {**os.environ, "CUPS_SERVER": str(self.socket), "LC_ALL": "C"}

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        """Run a CUPS client command against this cupsd."""
        return subprocess.run(command, capture_output=True, text=True, env=self.env(),
                              timeout=15)

    def add_printer(self, name: str) -> Listener:
        """A raw queue whose device is a new listener of the test."""
        listener = Listener()
        self.listeners.append(listener)
        done = self.run("lpadmin", "-p", name, "-E", "-v",
                        f"socket://127.0.0.1:{listener.port}", "-m", "raw")
        assert done.returncode == 0, done.stderr
        return listener

    def close(self) -> None:
        """Stop everything and remove the folder."""
        self.stop()
        for listener in self.listeners:
            listener.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cups(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cups]:
    """A running cupsd of the test's own; the code under test finds it via CUPS_SERVER."""
    if shutil.which("cupsd") is None:
        pytest.fail("cupsd manque : tests/run.sh installe cups, cups-client et cups-bsd")
    server = Cups()
    monkeypatch.setenv("CUPS_SERVER", str(server.socket))
    try:
        yield server
    finally:
        server.close()


def print_events(success: bool) -> list[str]:
    """Details of the recorded prints (or failed prints)."""
    return [e.detail for e in AuditEvent.select().where(
        (AuditEvent.action == "document.print") & (AuditEvent.success == success))]


def test_the_printer_receives_the_stored_pdf_byte_for_byte(
        cli: Cli, cups: Cups, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uai = import_sample(cli)
    document = accounts.generate(operator(), uai, settings=FAST_SETTINGS).documents[1]
    _, stored = documents.fetch(operator(), document.id)
    printer = cups.add_printer("salle-prof")
    cups.add_printer("cdi")
    assert printing.list_printers() == (["cdi", "salle-prof"], None)
    # Nothing goes through a temporary file: a private, empty TMPDIR stays empty.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    job = printing.print_document(operator(), document.id, "salle-prof")
    assert re.fullmatch(r"Travail salle-prof-\d+ envoyé à l'imprimante salle-prof\.", job.message)
    assert printer.wait_for_job() == stored
    assert list(scratch.iterdir()) == []
    assert print_events(True) == [f"document {document.id} -> salle-prof : travail {job.job_id}"]


def test_default_printer_and_no_default(cli: Cli, cups: Cups) -> None:
    uai = import_sample(cli)
    document = accounts.generate(operator(), uai, settings=FAST_SETTINGS).documents[0]
    printer = cups.add_printer("salle-prof")
    with pytest.raises(Refused) as refused:
        printing.print_document(operator(), document.id)
    assert refused.value.message == printing.NO_DEFAULT
    assert cups.run("lpadmin", "-d", "salle-prof").returncode == 0
    job = printing.print_document(operator(), document.id)
    assert job.printer == "salle-prof"
    assert printer.wait_for_job() == documents.fetch(operator(), document.id)[1]


def test_a_paused_queue_is_refused_and_nothing_is_queued(cli: Cli, cups: Cups) -> None:
    uai = import_sample(cli)
    document = accounts.generate(operator(), uai, settings=FAST_SETTINGS).documents[0]
    printer = cups.add_printer("salle-prof")
    assert cups.run("cupsdisable", "salle-prof").returncode == 0
    with pytest.raises(Refused) as refused:
        printing.print_document(operator(), document.id, "salle-prof")
    message = refused.value.message
    assert message == printing.printer_stopped("salle-prof")
    assert "en pause" in message and "enregistrez le document" in message
    assert cups.run("lpstat", "-o").stdout == ""  # no job waiting to print unattended
    assert printer.received == []
    assert print_events(False) == [f"document {document.id} -> salle-prof : {message}"]
    assert print_events(True) == []
    # Once resumed, the same call prints.
    assert cups.run("cupsenable", "salle-prof").returncode == 0
    printing.print_document(operator(), document.id, "salle-prof")
    assert printer.wait_for_job()[:5] == b"%PDF-"


def test_a_stopped_cupsd_and_an_unknown_queue_get_their_messages(cli: Cli, cups: Cups) -> None:
    uai = import_sample(cli)
    document = accounts.generate(operator(), uai, settings=FAST_SETTINGS).documents[0]
    cups.add_printer("salle-prof")
    with pytest.raises(Refused) as refused:
        printing.print_document(operator(), document.id, "salle-104")
    assert refused.value.message == printing.no_such_printer("salle-104")
    cups.stop()
    with pytest.raises(Refused) as refused:
        printing.print_document(operator(), document.id, "salle-prof")
    assert refused.value.message == printing.NOT_ANSWERING
    assert "ne répond pas" in refused.value.message
    failures = print_events(False)
    assert failures == [
        f"document {document.id} -> salle-104 : {printing.no_such_printer('salle-104')}",
        f"document {document.id} -> salle-prof : {printing.NOT_ANSWERING}",
    ]
    # No English from CUPS leaks into what the user reads.
    assert not any(word in " ".join(failures) for word in ("lp:", "Error", "scheduler"))


def test_without_cups_the_message_says_so(cli: Cli, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    uai = import_sample(cli)
    result = accounts.generate(operator(), uai, settings=FAST_SETTINGS)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not printing.printing_available()
    assert printing.list_printers() == ([], None)
    with pytest.raises(Refused, match="Aucun système d'impression"):
        printing.print_document(operator(), result.documents[0].id)
    assert len(print_events(False)) == 1


async def test_print_from_the_documents_screen(cups: Cups, tmp_path: Path) -> None:
    """ctrl+e in « Afficher le compte rendu », then ctrl+y in its question, prints the
    selected document, or says why not."""
    from cyclades_tui.services.demo import DEMO_STAFF, DEMO_UAI, seed_demo
    from cyclades_tui.services.runtime import connect
    from cyclades_tui.services.staff import actor_for
    from cyclades_tui.ui.app import CycladesApp
    from cyclades_tui.ui.screens.documents import DocumentsScreen
    from cyclades_tui.ui.widgets.modals import ConfirmModal
    from tests.ui_helpers import settle, text_of

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    db = connect(url)
    seed_demo(20, seed=7, settings=FAST_SETTINGS)
    newest = accounts.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS).documents[-1]
    printer = cups.add_printer("salle-prof")
    app = CycladesApp(db_url=url, demo_actor=actor_for(DEMO_STAFF), settings=FAST_SETTINGS)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_activity("documents")
        await settle(pilot)
        assert isinstance(app.screen, DocumentsScreen)
        assert cups.run("cupsdisable", "salle-prof").returncode == 0
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)  # always asked first
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert "salle-prof » est arrêtée (en pause)" in text_of(pilot, "#message")
        assert cups.run("cupsenable", "salle-prof").returncode == 0
        await pilot.press("ctrl+e")
        await settle(pilot)
        await pilot.press("ctrl+y")
        await settle(pilot)
        message = text_of(pilot, "#message")
        assert re.search(r"Travail salle-prof-\d+ envoyé à l'imprimante salle-prof", message)
    assert printer.wait_for_job() == documents.fetch(operator(), newest.id)[1]
    assert len(printer.received) == 1
    db.close()


def test_a_cupsd_that_does_not_answer_is_given_up_quickly(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scheduler that accepts connections but never answers: refused after the short
    timeout, with the same message as a stopped one, instead of freezing the screen."""
    uai = import_sample(cli)
    document = accounts.generate(operator(), uai, settings=FAST_SETTINGS).documents[0]
    path = tmp_path / "muet.sock"
    mute = socket.socket(socket.AF_UNIX)
    mute.bind(str(path))
    mute.listen()
    held: list[socket.socket] = []

    def hold() -> None:
        with contextlib.suppress(OSError):
            while True:
                held.append(mute.accept()[0])  # keep it open, say nothing

    threading.Thread(target=hold, daemon=True).start()
    monkeypatch.setenv("CUPS_SERVER", str(path))
    monkeypatch.setattr(printing, "QUERY_TIMEOUT_S", 1.0)
    started = time.monotonic()
    try:
        with pytest.raises(Refused) as refused:
            printing.print_document(operator(), document.id, "salle-prof")
    finally:
        mute.close()
        for connection in held:
            connection.close()
    assert refused.value.message == printing.NOT_ANSWERING
    assert time.monotonic() - started < 10
    assert held, "lpstat n'a jamais joint le faux cupsd"
    assert print_events(False) == [f"document {document.id} -> salle-prof : "
                                   f"{printing.NOT_ANSWERING}"]


def test_an_unreachable_printer_is_refused_and_prints_nothing_later(
        cli: Cli, cups: Cups) -> None:
    uai = import_sample(cli)
    document = accounts.generate(operator(), uai, settings=FAST_SETTINGS).documents[0]
    listener = cups.add_printer("salle-prof")
    port = listener.port
    listener.stop()  # the printer is switched off: nothing listens on its port
    with pytest.raises(Refused) as refused:
        printing.print_document(operator(), document.id, "salle-prof")
    message = refused.value.message
    assert message == printing.printer_unreachable("salle-prof")
    assert "ne répond pas" in message and "enregistrez le document" in message
    assert cups.run("lpstat", "-o").stdout == ""  # no job left to print unattended
    assert print_events(False) == [f"document {document.id} -> salle-prof : {message}"]
    # The printer comes back: nothing comes out of it (watched for a while).
    back = Listener(port)
    cups.listeners.append(back)
    watch_until = time.monotonic() + 5
    while time.monotonic() < watch_until:
        assert back.received == []
        time.sleep(0.1)


def test_a_job_that_cannot_reach_its_printer_is_withdrawn(
        cli: Cli, cups: Cups, monkeypatch: pytest.MonkeyPatch) -> None:
    """The printer answered the check, then went away before the job reached it: the job
    is cancelled rather than left in the spool."""
    uai = import_sample(cli)
    document = accounts.generate(operator(), uai, settings=FAST_SETTINGS).documents[0]
    listener = cups.add_printer("salle-prof")
    port = listener.port
    real_check = printing.check_queue

    def check_then_unplug(printer: str | None) -> str:
        chosen = real_check(printer)  # reachable now
        listener.stop()  # then switched off before the job is sent
        return chosen

    monkeypatch.setattr(printing, "check_queue", check_then_unplug)
    with pytest.raises(Refused) as refused:
        printing.print_document(operator(), document.id, "salle-prof")
    assert refused.value.message == printing.printer_unreachable("salle-prof")
    assert cups.run("lpstat", "-o").stdout == ""  # cancelled, not waiting in the spool
    assert print_events(False)
    back = Listener(port)
    cups.listeners.append(back)
    watch_until = time.monotonic() + 5
    while time.monotonic() < watch_until:
        assert back.received == []
        time.sleep(0.1)
