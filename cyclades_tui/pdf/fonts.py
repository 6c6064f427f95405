"""Font selection for the generated PDF documents.

The standard PDF fonts (Helvetica) only cover the WinAnsi (cp1252) repertoire: reportlab
silently draws a black square for anything else (Ł, ọ, ș...). Every document's texts are
therefore drawn with Noto Sans, which reportlab embeds as a subset holding only the glyphs
actually used: the same font whatever the names (choosing Helvetica or Noto by content gave
slips of one school two looks). Passwords and logins stay in Courier (monospace).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

__all__ = [
    "MONO_BOLD",
    "NOTO_SANS_NAME",
    "FontSet",
    "document_fonts",
    "is_standard_encodable",
    "noto_sans_fonts",
    "noto_sans_path",
]

#: Monospace font for passwords (and ASCII logins): always a standard font, never embedded.
MONO_BOLD = "Courier-Bold"

#: Name under which Noto Sans is registered with reportlab; prefixed so that it cannot clash
#: with a registration made by some other part of the process.
NOTO_SANS_NAME = "CycladesNotoSans"

_NOTO_SANS_FILE = "NotoSans[wdth,wght].ttf"


@dataclass(frozen=True)
class FontSet:
    """The fonts a document draws its texts with."""

    regular: str
    bold: str
    oblique: str
    #: True when ``bold`` is not a real bold face and must be emboldened by also stroking the
    #: glyph outlines (text render mode 2): reportlab only reads the default (regular)
    #: instance of the variable Noto Sans font.
    fake_bold: bool


_noto_lock = threading.Lock()
_noto_fonts: FontSet | None = None


def is_standard_encodable(text: str) -> bool:
    """Tell whether the standard PDF fonts (WinAnsi encoding, i.e. cp1252) can show ``text``."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def noto_sans_path() -> str:
    """Return the path of the Noto Sans TrueType file shipped by ``fontpkg-noto-sans``."""
    # Imported lazily: documents that only need the standard fonts never touch the package.
    import fontpkg_noto_sans

    return os.path.join(os.path.dirname(fontpkg_noto_sans.__file__), "files", _NOTO_SANS_FILE)


def noto_sans_fonts() -> FontSet:
    """Register Noto Sans with reportlab (once per process) and return its font set."""
    global _noto_fonts
    # Parsing the TTF costs a noticeable fraction of a second, hence the cache. The lock
    # matters because documents may be rendered from worker threads: registering a second
    # TTFont object under the same name while another document is being built with the first
    # one would mix their per-document subset tables.
    with _noto_lock:
        if _noto_fonts is None:
            pdfmetrics.registerFont(TTFont(NOTO_SANS_NAME, noto_sans_path()))
            _noto_fonts = FontSet(
                regular=NOTO_SANS_NAME,
                bold=NOTO_SANS_NAME,
                # No oblique: embedding the italic file too would double the font payload
                # for a single optional line.
                oblique=NOTO_SANS_NAME,
                fake_bold=True,
            )
        return _noto_fonts


def document_fonts() -> FontSet:
    """The fonts of every document: Noto Sans, embedded (as a subset), whatever the texts."""
    return noto_sans_fonts()
