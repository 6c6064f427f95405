"""The `cyclades-tui` command: the TUI with no subcommand, else scripted use of the services.

The package: ``parser`` (French argparse), ``commands`` (one handler per subcommand, and
the dispatch), ``account_commands`` (``accounts …``), ``import_commands`` (``import``),
``output`` (the terminal gate), ``hardening`` (process limits), ``tui`` (the TUI's start-up).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from typing import TextIO, cast

from cyclades_tui.domain.safe_text import safe_text
from cyclades_tui.services.errors import ServiceError
from cyclades_tui.services.memory import EXIT_OUT_OF_MEMORY, OUT_OF_MEMORY, limit_memory
from cyclades_tui.settings import SettingsError, load_settings_with_sources

from .commands import dispatch, show_config
from .hardening import harden_process, terminal_attached
from .output import EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED, TerminalSafeWriter
from .parser import NO_TERMINAL, build_parser
from .tui import run_tui

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_OK",
    "EXIT_REFUSED",
    "TerminalSafeWriter",
    "build_parser",
    "dispatch",
    "entry",
    "harden_process",
    "main",
    "run_tui",
]


def entry() -> int:
    """The console script (and ``python -m cyclades_tui``): harden the process, then run.

    Only here is the memory cap set (``memory_limit_mb``, once the settings are read):
    ``main`` also runs inside other processes (tests) whose memory is not the app's to cap.
    """
    harden_process()
    return main(cap_memory=True)


def main(argv: Sequence[str] | None = None, cap_memory: bool = False) -> int:
    """Parse, check the settings once, then run the TUI or one subcommand; the exit status.

    Everything a command prints goes through the terminal gate (``TerminalSafeWriter``).
    """
    out, err = sys.stdout, sys.stderr
    sys.stdout = cast(TextIO, TerminalSafeWriter(out))
    sys.stderr = cast(TextIO, TerminalSafeWriter(err))
    try:
        return _run(build_parser().parse_args(argv), out, err, cap_memory)
    finally:
        sys.stdout, sys.stderr = out, err


def _run(args: argparse.Namespace, out: TextIO, err: TextIO, cap_memory: bool = False) -> int:
    """Run the TUI or a subcommand; an expected failure becomes a French message and a code."""
    if args.command is None and not terminal_attached():
        # Without a terminal Textual would spin on end-of-file for ever (ssh host, scp, sftp).
        print(NO_TERMINAL, file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        loaded = load_settings_with_sources(db_override=args.db)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    if cap_memory:
        # Part of the process hardening (harden_process), once the setting is known.
        limit_memory(loaded.settings.memory_limit_mb)
    if args.command == "config":
        return show_config(loaded)
    try:
        if args.command is None:
            # Textual draws the screen itself, through its own gate (ui.text).
            gated = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = out, err
            try:
                return run_tui(args.db, args.demo, loaded.settings)
            finally:
                sys.stdout, sys.stderr = gated
        return dispatch(args, loaded.settings)
    except ServiceError as error:
        print(safe_text(error.message), file=sys.stderr)
        for line in error.details:
            print(f"  {safe_text(line)}", file=sys.stderr)
        for fault in getattr(error, "faults", []):
            if fault != error.message:
                # One fault a line: a line feed inside a value is spelled out too.
                print(f"  - {safe_text(fault)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("\nInterrompu.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except MemoryError:
        # What the cap is for: the process stops cleanly; its transactions were rolled back.
        print(OUT_OF_MEMORY, file=sys.stderr)
        return EXIT_OUT_OF_MEMORY
    except Exception as error:
        if os.environ.get("CYCLADES_DEBUG"):
            traceback.print_exc()
        print(
            f"Erreur interne inattendue ({type(error).__name__}) : l'opération n'a pas abouti. "
            "CYCLADES_DEBUG=1 affiche le détail technique.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
