"""Files staff and the operator read and write: no escape through a folder swapped after the
check, no crash or hang on a folder or a FIFO, and no half-written file left under a
finished file's name when the process is killed (a dropped SSH connection)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from cyclades_tui.services import account_generation, files, schools, staff, staff_login
from cyclades_tui.services.actor import Actor, operator
from cyclades_tui.services.errors import BadInput
from cyclades_tui.services.private_files import TEMP_PREFIX
from cyclades_tui.store.models import Document
from tests.helpers import FAST_SETTINGS, bea, pdf_text, school_with_pupils, slips_in, wait_until
from tests.resilience_helpers import cli_process, run_cli

UAI = "0392689L"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return files.school_folder(tmp_path / "fichiers", UAI)


@pytest.fixture
def secretariat(sqlite_url: str) -> Actor:
    school_with_pupils(UAI, 3)
    staff.add_staff(
        operator(),
        "secretariat",
        "mot-de-passe-du-personnel",
        UAI,
        settings=FAST_SETTINGS,
        must_change=False,
    )
    return staff_login.actor_for("secretariat")


def swap_after_check(monkeypatch: pytest.MonkeyPatch, inside: Path, outside: Path) -> None:
    """The school's SFTP account replaces the folder ``inside`` by a link to ``outside``
    right after each check of the typed path (the race, made deterministic): whatever is
    opened after the last check must be refused."""
    checked = files.confine
    kept = inside.with_name(inside.name + ".old")

    def confine_then_swap(*args: object) -> Path:
        if inside.is_symlink():  # put the folder back for the check
            inside.unlink()
            kept.rename(inside)
        path = checked(*args)  # type: ignore[arg-type]
        inside.rename(kept)
        inside.symlink_to(outside)
        return path

    monkeypatch.setattr(files, "confine", confine_then_swap)


def test_a_folder_swapped_for_a_link_after_the_check_is_not_read(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "x.csv").write_text("SECRET HORS DU DOSSIER\n")
    sub = folder / "depot" / "sous"
    sub.mkdir()
    (sub / "x.csv").write_text("dedans\n")
    swap_after_check(monkeypatch, sub, secret)
    with pytest.raises(BadInput) as error:
        files.read_confined(folder, "sous/x.csv")
    assert error.value.message == files.outside(folder)
    assert "SECRET" not in " ".join([error.value.message, *error.value.faults])


def test_a_folder_swapped_for_a_link_after_the_check_is_not_written(
    secretariat: Actor, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = account_generation.generate(secretariat, UAI, settings=FAST_SETTINGS).documents[0]
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    sub = folder / "documents" / "classe"
    sub.mkdir()
    swap_after_check(monkeypatch, sub, elsewhere)
    with pytest.raises(BadInput) as error:
        files.save_document(secretariat, document.id, folder, "classe/papillons.pdf")
    assert error.value.message == files.outside(folder)
    assert list(elsewhere.iterdir()) == []


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_folder_or_a_fifo_is_refused_in_french_without_leaking(folder: Path) -> None:
    (folder / "depot" / "dossier").mkdir()
    os.mkfifo(folder / "depot" / "tube")  # opening it must not wait for a writer
    before = open_fds()
    for typed in ("dossier", "tube", "dossier/", ".", str(folder)) * 5:
        with pytest.raises(BadInput) as error:
            files.read_confined(folder, typed)
        assert "n'est pas un fichier" in error.value.message, typed
    assert open_fds() == before


def test_saving_under_a_file_used_as_a_folder_says_so(secretariat: Actor, folder: Path) -> None:
    document = account_generation.generate(secretariat, UAI, settings=FAST_SETTINGS).documents[0]
    (folder / "documents" / "p.pdf").write_bytes(b"premier")
    for typed in ("p.pdf/", "p.pdf/sous/x.pdf", "p.pdf/x.pdf"):
        with pytest.raises(BadInput) as error:
            files.save_document(secretariat, document.id, folder, typed)
        assert error.value.message == "« documents/p.pdf » n'est pas un dossier.", typed
    assert (folder / "documents" / "p.pdf").read_bytes() == b"premier"
    # The normal case still works, into a new sub-folder.
    saved = files.save_document(secretariat, document.id, folder, "a/b/")
    assert saved.parent == folder / "documents" / "a" / "b"
    assert len(slips_in(pdf_text(saved))) == 3


def test_system_errors_are_in_french(
    secretariat: Actor, folder: Path, sqlite_url: str, tmp_path: Path
) -> None:
    document = account_generation.generate(secretariat, UAI, settings=FAST_SETTINGS).documents[0]
    too_long = "x" * 300 + ".pdf"
    with pytest.raises(BadInput) as error:
        files.save_document(secretariat, document.id, folder, too_long)
    assert error.value.message.endswith(" : nom trop long."), error.value.message
    for args in (
        ["documents", "export", str(document.id), str(tmp_path / too_long)],
        ["backup", str(tmp_path / too_long)],
    ):
        done = run_cli(sqlite_url, *args)
        assert done.returncode == 2 and "nom trop long" in done.stderr, done.stderr
        assert "too long" not in done.stderr
    assert leftovers(tmp_path) == []
    a_file = tmp_path / "un-fichier"
    a_file.write_text("")
    for args, env in (
        (["import", str(tmp_path / too_long), "--school", UAI], {}),
        (["accounts", "status", "--school", UAI], {"CYCLADES_CONFIG": str(tmp_path / too_long)}),
        (["accounts", "generate", "--school", UAI, "--out", str(a_file / "x")], {}),
    ):
        done = run_cli(sqlite_url, *args, env=env)
        assert done.returncode == 2, done.stderr
        assert "nom trop long" in done.stderr or "n'est pas un dossier" in done.stderr, done.stderr
        assert "too long" not in done.stderr and "Not a directory" not in done.stderr


def test_every_system_error_has_french_words() -> None:
    import errno

    from cyclades_tui.os_error_text import os_error_text

    for code in (
        errno.ENOENT,
        errno.EACCES,
        errno.EPERM,
        errno.EISDIR,
        errno.ENOTDIR,
        errno.ENOSPC,
        errno.EROFS,
        errno.EEXIST,
        errno.ELOOP,
        errno.ENAMETOOLONG,
        errno.EDQUOT,
    ):
        text = os_error_text(OSError(code, os.strerror(code)))
        assert text and os.strerror(code).lower() not in text.lower(), code
    assert os_error_text(OSError(errno.ENOTSOCK, "Socket operation on non-socket")) == (
        "erreur système ENOTSOCK"
    )
    # No message quotes the English strerror any more.
    package = Path(files.__file__).resolve().parents[1]
    quoting = [
        p.name for p in package.rglob("*.py") if ".strerror" in p.read_text(encoding="utf-8")
    ]
    assert quoting == []


def leftovers(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_a_killed_export_leaves_no_file_under_its_name(sqlite_url: str, tmp_path: Path) -> None:
    school_with_pupils(UAI, 30)
    account_generation.generate(operator(), UAI, settings=FAST_SETTINGS)
    document = Document.select().first()
    size = len(bytes(document.data))
    out = tmp_path / "sortie"
    out.mkdir()
    # 1. SIGKILL half-way through writing.
    killed = run_cli(
        sqlite_url,
        "documents",
        "export",
        str(document.id),
        str(out / "a.pdf"),
        env={"CYCLADES_FAULT": "private_files.half"},
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (out / "a.pdf").exists()
    (temp,) = leftovers(out)
    assert 0 < temp.stat().st_size < size  # it was stopped in the middle indeed
    # 2. A hang-up (the SSH connection drops) at the same moment.
    mark = tmp_path / "a-mi-chemin"
    held = cli_process(
        sqlite_url,
        "documents",
        "export",
        str(document.id),
        str(out / "b.pdf"),
        env={"CYCLADES_FAULT": "hold:private_files.half", "CYCLADES_FAULT_MARK": str(mark)},
    )
    try:
        wait_until(mark.exists, 60, "le point d'arrêt")
        held.send_signal(signal.SIGHUP)
        held.communicate(timeout=60)
    finally:
        held.kill()
    assert held.returncode == -signal.SIGHUP
    assert not (out / "b.pdf").exists()
    # 3. Uninterrupted: the whole document under its name, no temporary file added.
    done = run_cli(sqlite_url, "documents", "export", str(document.id), str(out / "c.pdf"))
    assert done.returncode == 0, done.stderr
    assert (out / "c.pdf").read_bytes() == bytes(document.data)
    assert (out / "c.pdf").stat().st_mode & 0o777 == 0o600
    assert len(leftovers(out)) == 2


def test_a_killed_backup_leaves_no_file_under_its_name(sqlite_url: str, tmp_path: Path) -> None:
    school_with_pupils(UAI, 3)
    target = tmp_path / "sauvegarde.db"
    killed = run_cli(sqlite_url, "backup", str(target), env={"CYCLADES_FAULT": "backup.copied"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not target.exists()
    assert leftovers(tmp_path)
    done = run_cli(sqlite_url, "backup", str(target))
    assert done.returncode == 0, done.stderr
    assert target.stat().st_size > 0


async def test_the_csv_screen_imports_what_it_previewed(sqlite_url: str, tmp_path: Path) -> None:
    """A file replaced (over SFTP) between « Vérifier » and « Importer » is not imported."""
    from textual.widgets import Input

    from cyclades_tui.store.models import Candidate
    from cyclades_tui.ui.app import CycladesApp
    from tests.helpers import csv_bytes
    from tests.ui_helpers import settle, text_of

    schools.add_school(operator(), UAI, "École")
    schools.set_service(operator(), UAI, True)
    staff.add_staff(
        operator(),
        "secretariat",
        "mot-de-passe-du-personnel",
        UAI,
        settings=FAST_SETTINGS,
        must_change=False,
    )
    depot = tmp_path / "fichiers" / UAI / "depot"
    depot.mkdir(parents=True)
    export = depot / "eleves.csv"
    export.write_bytes(
        csv_bytes(*[f"{bea(50 + i)};Vu{i};;Prénom;;02/02/2010;3A;DNB;Inscrit" for i in range(3)])
    )
    app = CycladesApp(
        db_url=sqlite_url, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_activity("import_csv")
        await settle(pilot)
        app.screen.query_one("#path", Input).value = export.name
        await pilot.press("enter")
        await settle(pilot)
        assert "3 ligne(s), 3 à ajouter" in text_of(pilot, "#message")
        export.write_bytes(
            csv_bytes(
                *[f"{bea(70 + i)};Jamais{i};;Prénom;;02/02/2010;3A;DNB;Inscrit" for i in range(9)]
            )
        )
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert "Import terminé : 3 ajouté(s)" in text_of(pilot, "#message")
    names = sorted(c.family_name for c in Candidate.select())
    assert names == ["Vu0", "Vu1", "Vu2"]


def test_without_hard_links_the_file_is_renamed_but_never_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FAT USB key has no hard links: link() fails with EPERM there; the new file is then
    renamed into place, still never over an existing file."""
    import errno

    from cyclades_tui.services import private_files

    def no_link(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(private_files.os, "link", no_link)
    folder = private_files.open_folder(tmp_path)
    try:
        private_files.write_new(folder, "copie.db", b"contenu", 0o600)
        assert (tmp_path / "copie.db").read_bytes() == b"contenu"
        with pytest.raises(FileExistsError):
            private_files.write_new(folder, "copie.db", b"autre", 0o600)
    finally:
        os.close(folder)
    assert (tmp_path / "copie.db").read_bytes() == b"contenu"
    assert leftovers(tmp_path) == []
