"""New files that appear whole or not at all, and never replace anything.

A document, an export or a backup is first written under a temporary name in its folder
(``.cyclades-tmp-…``, created exclusively, mode given), synced to disk, then hard-linked to
its final name: the link fails if that name exists (a file is never replaced, even one
created a moment ago), and a process killed in the middle (a dropped SSH connection ends
it with SIGHUP, without clean-up) leaves at most an obviously temporary file, never a
truncated file under the name of a finished one.

Everything works relative to an open folder (``dir_fd``): once the folder is checked and
opened, a link swapped in for it cannot redirect the writing.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from contextlib import suppress
from pathlib import Path

from cyclades_tui.services import faults

TEMP_PREFIX = ".cyclades-tmp-"
# Where a test stops the process half-way through writing (services/faults.py).
FAULT_HALF_WRITTEN = "private_files.half"


def open_folder(
    path: str | os.PathLike[str], dir_fd: int | None = None, follow: bool = True
) -> int:
    """An fd of the folder ``path`` (``follow=False``: refuse a symbolic link, ELOOP)."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    return os.open(path, flags, dir_fd=dir_fd)


def create_temp(dir_fd: int, mode: int) -> tuple[str, int]:
    """A new temporary file in the folder ``dir_fd`` with exactly ``mode``: (name, fd)."""
    while True:
        name = TEMP_PREFIX + secrets.token_hex(6)
        try:
            fd = os.open(
                name,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                mode,
                dir_fd=dir_fd,
            )
        except FileExistsError:
            continue  # another temporary file by chance: draw again
        os.fchmod(fd, mode)  # whatever the umask
        return name, fd


def discard(dir_fd: int, temp: str) -> None:
    """Remove the temporary file (already gone: nothing to do)."""
    with suppress(FileNotFoundError):
        os.unlink(temp, dir_fd=dir_fd)


# What link() says on a file system that has no hard links.
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK}


def _exists(dir_fd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def publish(dir_fd: int, temp: str, name: str) -> None:
    """Give the finished temporary file its final ``name``; FileExistsError if taken.

    The temporary name is removed either way.
    """
    try:
        try:
            os.link(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
        except OSError as error:
            if error.errno not in _NO_HARD_LINKS:
                raise
            # A file system without hard links (a FAT USB key for backups): rename, after
            # checking the name is free (only a file created in between could be replaced).
            if _exists(dir_fd, name):
                raise FileExistsError(errno.EEXIST, "exists", name) from None
            os.rename(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    finally:
        discard(dir_fd, temp)
    with suppress(OSError):  # the new name itself reaches the disk
        os.fsync(dir_fd)


def _write_fully(fd: int, view: memoryview) -> None:
    while view:
        view = view[os.write(fd, view) :]


def write_all(fd: int, data: bytes) -> None:
    """Write ``data`` to ``fd`` (a fault point half-way) and sync it to disk."""
    view = memoryview(data)
    _write_fully(fd, view[: len(view) // 2])
    faults.checkpoint(FAULT_HALF_WRITTEN)
    _write_fully(fd, view[len(view) // 2 :])
    os.fsync(fd)


def write_new(dir_fd: int, name: str, data: bytes, mode: int) -> None:
    """Create ``name`` in the folder ``dir_fd`` holding ``data`` (mode ``mode``).

    FileExistsError if ``name`` exists; other OSErrors as they come; in every case no
    temporary file stays behind (unless the process is killed).
    """
    temp, fd = create_temp(dir_fd, mode)
    try:
        try:
            write_all(fd, data)
        finally:
            os.close(fd)
    except BaseException:
        discard(dir_fd, temp)
        raise
    publish(dir_fd, temp, name)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to the new file ``path`` readable by its owner only (a slip holds
    passwords).

    An existing file is never replaced (FileExistsError: a typo must not destroy the
    database or another document), a symbolic link is never followed, and the file appears
    whole or not at all (a hang-up leaves no truncated document).
    """
    folder = open_folder(path.parent)
    try:
        write_new(folder, path.name, data, stat.S_IRUSR | stat.S_IWUSR)
    finally:
        os.close(folder)
