"""Printing to a real CUPS: a cupsd started by the test in a temporary folder, with raw queues
whose device is a TCP listener of the test, so that what reaches the "printer" is compared
byte for byte with the stored PDF.
"""

from __future__ import annotations

import contextlib
import re
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

from cyclades_tui.services import account_generation, documents, printing
from cyclades_tui.services.actor import operator
from cyclades_tui.services.errors import Refused
from cyclades_tui.store.models import AuditEvent
from tests.cups_server import Cups, Listener
from tests.helpers import FAST_SETTINGS, Cli, import_sample


def print_events(success: bool) -> list[str]:
    """Details of the recorded prints (or failed prints)."""
    return [
        e.detail
        for e in AuditEvent.select().where(
            (AuditEvent.action == "document.print") & (AuditEvent.success == success)
        )
    ]


def test_the_printer_receives_the_stored_pdf_byte_for_byte(
    cli: Cli, cups: Cups, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uai = import_sample(cli)
    document = account_generation.generate(operator(), uai, settings=FAST_SETTINGS).documents[1]
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
    document = account_generation.generate(operator(), uai, settings=FAST_SETTINGS).documents[0]
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
    document = account_generation.generate(operator(), uai, settings=FAST_SETTINGS).documents[0]
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
    document = account_generation.generate(operator(), uai, settings=FAST_SETTINGS).documents[0]
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


def test_without_cups_the_message_says_so(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uai = import_sample(cli)
    result = account_generation.generate(operator(), uai, settings=FAST_SETTINGS)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not printing.printing_available()
    assert printing.list_printers() == ([], None)
    with pytest.raises(Refused, match="Aucun système d'impression"):
        printing.print_document(operator(), result.documents[0].id)
    assert len(print_events(False)) == 1


async def test_print_from_the_documents_screen(cups: Cups, tmp_path: Path) -> None:
    """ctrl+e in « Afficher le compte rendu », then ctrl+y in its question, prints the
    selected document, or says why not."""
    from cyclades_tui.services.db_session import connect
    from cyclades_tui.services.demo import DEMO_STAFF, DEMO_UAI, seed_demo
    from cyclades_tui.services.staff_login import actor_for
    from cyclades_tui.ui.app import CycladesApp
    from cyclades_tui.ui.screens.documents import DocumentsScreen
    from cyclades_tui.ui.widgets.modals import ConfirmModal
    from tests.ui_helpers import settle, text_of

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    db = connect(url)
    seed_demo(20, seed=7, settings=FAST_SETTINGS)
    newest = account_generation.generate(operator(), DEMO_UAI, settings=FAST_SETTINGS).documents[-1]
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
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduler that accepts connections but never answers: refused after the short
    timeout, with the same message as a stopped one, instead of freezing the screen."""
    uai = import_sample(cli)
    document = account_generation.generate(operator(), uai, settings=FAST_SETTINGS).documents[0]
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
    assert print_events(False) == [
        f"document {document.id} -> salle-prof : {printing.NOT_ANSWERING}"
    ]


def test_an_unreachable_printer_is_refused_and_prints_nothing_later(cli: Cli, cups: Cups) -> None:
    uai = import_sample(cli)
    document = account_generation.generate(operator(), uai, settings=FAST_SETTINGS).documents[0]
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
    cli: Cli, cups: Cups, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The printer answered the check, then went away before the job reached it: the job
    is cancelled rather than left in the spool."""
    uai = import_sample(cli)
    document = account_generation.generate(operator(), uai, settings=FAST_SETTINGS).documents[0]
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
