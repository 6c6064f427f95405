"""The one gate for text that reaches a terminal: control characters are shown, never sent.

A value that came from a file, the database or a person may hold terminal escapes
(``ESC ] 52`` writes the clipboard, ``ESC ] 2`` the window title, ``ESC [ 2 J`` wipes the
screen), C1 controls (U+009B is a CSI on its own) or bidirectional overrides that make a
line read backwards. Before such a value is printed by the CLI or drawn by the TUI it goes
through :func:`safe_text`, which replaces each of those characters by a visible spelling:
``\\x1b`` for C0/C1 controls and DEL, ``U+202E`` for the invisible formatting ones.
"""

from __future__ import annotations

import re

# Bidirectional embeddings, overrides, isolates and marks: they reorder what follows them.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# C0 (with ESC, CR, LF, TAB), DEL and C1; then the bidi controls, the line and paragraph
# separators (terminals may break lines on them) and lone surrogates (they cannot even be
# encoded: printing one would crash the command).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS)) + "\u2028\u2029\ud800-\udfff]"
)
# The same, but keeping the line feeds the application itself puts between lines.
_UNSAFE_BUT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS)) + "\u2028\u2029\ud800-\udfff]"
)


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"U+{code:04X}"


def has_unsafe(text: str) -> bool:
    """True when ``text`` holds at least one character :func:`safe_text` would replace."""
    return _UNSAFE.search(text) is not None


def safe_text(value: object, keep_newlines: bool = False) -> str:
    """``str(value)`` with every control, DEL, C1 and bidi character spelled out visibly.

    ``keep_newlines`` keeps ``\\n`` as it is, for multi-line texts the application joins
    itself; every other control (``\\r`` included) is still spelled out.
    """
    text = str(value)
    pattern = _UNSAFE_BUT_NEWLINE if keep_newlines else _UNSAFE
    if pattern.search(text) is None:  # the usual case: nothing to copy
        return text
    return pattern.sub(_visible, text)


def strip_unsafe(text: str) -> str:
    """``text`` without the unsafe characters at all (a last barrier that keeps widths)."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub("", text)


def first_unsafe(text: str) -> str | None:
    """The visible spelling of the first unsafe character of ``text``, or None."""
    match = _UNSAFE.search(text)
    return _visible(match) if match is not None else None


def safe_json(text: str) -> str:
    """JSON text with every unsafe character written as a ``\\uXXXX`` escape.

    ``json.dumps(..., ensure_ascii=False)`` escapes C0 controls but writes C1 controls,
    bidi overrides and lone surrogates as they are; outside strings JSON is ASCII, so this
    rewrite keeps the document valid and its values unchanged.
    """
    # Line feeds lay the document out; inside strings json.dumps has escaped them already.
    if _UNSAFE_BUT_NEWLINE.search(text) is None:
        return text
    return _UNSAFE_BUT_NEWLINE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
