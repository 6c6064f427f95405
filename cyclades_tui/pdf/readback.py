"""Read the logins and passwords back out of a slip document this package rendered.

General text extraction re-flows every page and costs seconds for a class-sized document;
the slips draw their credentials in Courier in a fixed order (the contract is stated in
:mod:`cyclades_tui.pdf.credentials_layout`), so reading the Courier text operators of each
page's content stream is enough and takes milliseconds.
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from .credentials_layout import CREDENTIAL_FONT_PREFIX, pair_credentials

_OPERATOR = re.compile(rb"/([^\s/\[\]()<>]+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(raw: bytes) -> str:
    """Decode a PDF literal string (WinAnsi text of the standard fonts)."""
    out = bytearray()
    i = 0
    while i < len(raw):
        char = raw[i : i + 1]
        if char != b"\\":
            out += char
            i += 1
            continue
        following = raw[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(), 8) & 0xFF)
            i += 1 + len(octal.group())
        else:
            out += _ESCAPES.get(following, following)
            i += 2
    return out.decode("cp1252", errors="replace")


def read_credentials(data: bytes) -> list[tuple[str, str]]:
    """(login, password) of every slip, in the order of the document's pages."""
    reader = PdfReader(io.BytesIO(data))
    pairs: list[tuple[str, str]] = []
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        mono = {
            name.lstrip("/")
            for name, ref in fonts.items()
            if str(ref.get_object().get("/BaseFont", "")).startswith(CREDENTIAL_FONT_PREFIX)
        }
        contents = page.get_contents()
        if contents is None:
            continue
        current = ""
        strings: list[str] = []
        for match in _OPERATOR.finditer(contents.get_data()):
            if match.group(1) is not None:
                current = match.group(1).decode("latin-1")
            elif current in mono:
                strings.append(_unescape(match.group(2)))
        pairs.extend(pair_credentials(strings))
    return pairs
