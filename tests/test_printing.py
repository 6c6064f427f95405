"""Printing through CUPS' command-line tools (`lp`, `lpstat`), and without them.

CUPS is not installed on the test machine: small `lp`/`lpstat` programs on PATH stand in
for it, record what they were given, and let the real code path run end to end.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cyclades_tui.services import accounts, printing
from cyclades_tui.services.actor import operator
from cyclades_tui.services.errors import Refused
from cyclades_tui.store.models import AuditEvent
from tests.conftest import Cli
from tests.helpers import FAST_SETTINGS, pdf_text, slips_in
from tests.test_accounts import import_sample


def fake_cups(folder: Path, printers: list[str]) -> Path:
    """`lp` copies the file it is given next to its arguments; `lpstat` lists ``printers``."""
    folder.mkdir()
    spool = folder / "spool"
    spool.mkdir()
    (folder / "lp").write_text(
        "#!/bin/sh\n"
        f'echo "$@" > {spool}/args\n'
        'for last; do :; done\n'
        f'cp "$last" {spool}/printed.pdf\n'
        'echo "request id is imprimante-42 (1 file(s))"\n')
    listing = "\n".join(printers)
    (folder / "lpstat").write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "-e" ]; then printf "{listing}\\n"; '
        f'else echo "system default destination: {printers[0]}"; fi\n')
    for name in ("lp", "lpstat"):
        os.chmod(folder / name, 0o755)
    return spool


def test_print_with_cups(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uai = import_sample(cli)
    result = accounts.generate(operator(), uai, settings=FAST_SETTINGS)
    spool = fake_cups(tmp_path / "bin", ["secretariat", "vie-scolaire"])
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    assert printing.list_printers() == (["secretariat", "vie-scolaire"], "secretariat")
    answer = printing.print_document(operator(), result.documents[1].id, "vie-scolaire")
    assert "imprimante-42" in answer
    assert "-d vie-scolaire" in (spool / "args").read_text()
    assert len(slips_in(pdf_text(spool / "printed.pdf"))) == 30
    # The private temporary copy handed to lp is gone.
    printed_from = (spool / "args").read_text().split()[-1]
    assert not Path(printed_from).exists()
    assert AuditEvent.select().where(AuditEvent.action == "document.print").count() == 1


def test_without_cups_the_message_says_so(cli: Cli, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    uai = import_sample(cli)
    result = accounts.generate(operator(), uai, settings=FAST_SETTINGS)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not printing.printing_available()
    assert printing.list_printers() == ([], None)
    with pytest.raises(Refused, match="Aucun système d'impression"):
        printing.print_document(operator(), result.documents[0].id)
