"""A full disk says « disque plein »; `documents export` never writes through a symbolic link.

The full disk is a real one: a tmpfs of a few hundred kB mounted for the test (the tests run
as root), filled with a filler file. The SQLite database lives on it, so generation meets
SQLite's own « database or disk is full »; an export to it meets ENOSPC from write(2).
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from cyclades_tui.os_error_text import os_error_text
from cyclades_tui.services.db_session import connect
from tests.helpers import Cli, import_sample


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MB file system (tmpfs), unmounted after the test."""
    mount = tmp_path / "disque"
    mount.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(mount)], check=True
    )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk: Path) -> None:
    """Fill ``disk`` to the last block."""
    # Unbuffered: a buffered file would meet ENOSPC again when closed, outside the try.
    with (disk / "remplissage").open("wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
        except OSError as error:
            assert error.errno == errno.ENOSPC


@pytest.mark.root  # mounts a tmpfs
def test_generation_on_a_full_disk_says_so(small_disk: Path, tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{small_disk / 'cyclades.db'}")
    connect(cli.url)
    uai = import_sample(cli)
    fill(small_disk)
    result = cli("accounts", "generate", "--school", uai)
    assert result.code != 0
    assert "disque de la base de données est plein" in result.err
    assert "schéma" not in result.err and "init" not in result.err


@pytest.mark.root  # mounts a tmpfs
def test_export_to_a_full_disk_says_so(cli: Cli, small_disk: Path) -> None:
    uai = import_sample(cli)
    assert cli("accounts", "generate", "--school", uai).code == 0
    listing = json.loads(cli("documents", "list", "--school", uai, "--json").out)
    fill(small_disk)
    result = cli("documents", "export", str(listing[0]["id"]), str(small_disk / "doc.pdf"))
    assert result.code == 2
    assert "disque plein" in result.err
    assert not (small_disk / "doc.pdf").exists()
    assert not [p for p in small_disk.iterdir() if p.name.startswith(".cyclades-tmp-")]


def test_quota_and_full_disk_read_alike() -> None:
    assert os_error_text(OSError(errno.ENOSPC, "x")) == "disque plein"
    assert os_error_text(OSError(errno.EDQUOT, "x")).startswith("disque plein")


def test_export_refuses_a_link_as_the_file_or_on_the_path(cli: Cli, tmp_path: Path) -> None:
    uai = import_sample(cli)
    assert cli("accounts", "generate", "--school", uai).code == 0
    document = json.loads(cli("documents", "list", "--school", uai, "--json").out)[0]["id"]
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    mine = tmp_path / "mien"
    mine.mkdir()
    (mine / "lien.pdf").symlink_to(elsewhere)  # a link to a folder, named like a file
    (mine / "vers-fichier.pdf").symlink_to(elsewhere / "cible.pdf")  # a dangling one
    (tmp_path / "dossier-lien").symlink_to(elsewhere)
    for target in (
        mine / "lien.pdf",
        mine / "vers-fichier.pdf",
        tmp_path / "dossier-lien" / "doc.pdf",
        tmp_path / "dossier-lien" / "x" / "d.pdf",
        f"{tmp_path / 'dossier-lien'}{os.sep}",
    ):
        result = cli("documents", "export", str(document), str(target))
        assert result.code == 2, target
        assert "lien symbolique" in result.err and "rien n'a" in result.err
    assert list(elsewhere.iterdir()) == []
    assert cli("documents", "export", str(document), str(mine / "vrai.pdf")).code == 0
