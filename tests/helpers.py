"""Helpers shared by tests: reading PDFs back with pdftotext, building CSV files."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from cyclades_tui.settings import Settings

# What the services and the app receive in tests: bcrypt at its lowest cost (tests check
# behaviour; costs have tests of their own). The CLI reads the environment (conftest).
FAST_SETTINGS = Settings(provisional_cost=4, chosen_cost=4)

SLIP_RE = re.compile(
    r"Votre identifiant de connexion : (\S+)\s+Votre mot de passe \(\*\) : (\S+)")


def pdf_text(path: Path | bytes, tmp: Path | None = None) -> str:
    """The text of a PDF as poppler's pdftotext reads it (not our own code)."""
    if isinstance(path, bytes):
        assert tmp is not None
        target = tmp / "read-back.pdf"
        target.write_bytes(path)
        path = target
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def slips_in(text: str) -> list[tuple[str, str]]:
    """(login, password) pairs printed in a slip document's text, in order."""
    return SLIP_RE.findall(text)


HEADER = "INE;Nom;Nom d'usage;Prénom;Autres prénoms;Date de naissance;Division;Examen;Etat"


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    """A candidate CSV made of the header and ``rows``."""
    return ("\n".join([header, *rows]) + "\n").encode(encoding)
