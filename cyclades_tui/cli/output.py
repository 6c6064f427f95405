"""What the commands print: the terminal-safe writer, JSON, progress, secrets read."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from cyclades_tui.domain.safe_text import safe_json, safe_text
from cyclades_tui.os_error_text import os_error_text
from cyclades_tui.services.errors import (
    BadInput,
)

EXIT_OK, EXIT_REFUSED, EXIT_BAD_INPUT = 0, 1, 2


def read_secret_lines(count: int, prompts: Sequence[str]) -> list[str]:
    """Read ``count`` secrets: hidden prompts on a terminal, else one line each on stdin."""
    if sys.stdin.isatty():
        return [getpass.getpass(prompt) for prompt in prompts[:count]]
    lines = sys.stdin.read().splitlines()
    if len(lines) < count:
        raise BadInput(f"{count} ligne(s) attendue(s) sur l'entrée standard, {len(lines)} lue(s).")
    return lines[:count]


def progress_printer(stream: TextIO) -> Callable[[int, int], None] | None:
    """A progress bar on a terminal, nothing when piped."""
    if not stream.isatty():
        return None

    # The carriage return is the app's own: written past the terminal-safe gate.
    raw: TextIO = getattr(stream, "own", stream)

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        raw.write(f"\rMots de passe : [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            raw.write("\n")
        raw.flush()

    return show


def print_json(value: object) -> None:
    # C1 and bidi controls as \u escapes: the same values, nothing a terminal obeys.
    print(safe_json(json.dumps(value, ensure_ascii=False, indent=2)))


def check_out_dir(out: Path | None) -> Path | None:
    """Create and check the --out folder before anything is generated (exit 2 if unusable)."""
    if out is None:
        return None
    folder = out.expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BadInput(
            f"Dossier « {folder} » impossible à créer : {os_error_text(error)}."
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BadInput(f"Dossier « {folder} » : écriture impossible.")
    return folder


class TerminalSafeWriter:
    """A text stream that spells out every control character written to it (``\\x1b``).

    The CLI's one gate: whatever a command prints (file values in error messages, names,
    paths, the database's contents) reaches the terminal without an escape sequence, a C1
    control or a bidi override. Line feeds pass; the app's own other controls (the progress
    bar's carriage return) go through ``own``, the stream underneath.
    """

    def __init__(self, own: TextIO) -> None:
        self.own = own

    def write(self, text: str) -> int:
        """Write ``text`` made safe; returns the length of ``text`` as streams do."""
        self.own.write(safe_text(text, keep_newlines=True))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        # flush, isatty, fileno, encoding… are the underlying stream's.
        return getattr(self.own, name)
