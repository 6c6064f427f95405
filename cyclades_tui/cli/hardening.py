"""Process hardening for a shared server, and the terminal check of the TUI."""

from __future__ import annotations

import os
import resource
import sys


def terminal_attached() -> bool:
    """True when stdin and stdout are both a terminal: the TUI needs one to read and draw."""
    return (
        sys.stdin is not None
        and sys.stdout is not None
        and sys.stdin.isatty()
        and sys.stdout.isatty()
    )


def harden_process() -> None:
    """What every session needs on a shared server: private files, no core dumps.

    Files the app creates (exports, backups, SQLite's -wal/-shm) are readable by their
    owner only, whatever the umask of sshd's session (a PDF saved from the TUI is given
    0640 explicitly: the school's SFTP account reads it through the folder's group); a
    crash never writes the memory (plain passwords while slips are rendered) to a core file.
    """
    os.umask(0o077)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
