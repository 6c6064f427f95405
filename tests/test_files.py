"""Each school's folder: staff file prompts stay inside it, whatever path they type."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Input

from cyclades_tui.cli.tui import open_for_tui
from cyclades_tui.services import account_generation, files, schools, staff, staff_login
from cyclades_tui.services.actor import operator
from cyclades_tui.services.db_session import connect
from cyclades_tui.services.demo import DEMO_STAFF
from cyclades_tui.services.errors import BadInput
from cyclades_tui.settings import load_settings
from cyclades_tui.store.models import AuditEvent, Candidate
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.screens.documents import DocumentsScreen
from cyclades_tui.ui.widgets.modals import PathModal
from tests.helpers import FAST_SETTINGS, Cli, bea, csv_bytes, import_sample, pdf_text, slips_in
from tests.ui_helpers import settle, text_of

UAI, OTHER = "0392689L", "0750001U"
PASSWORD = "mot-de-passe-du-personnel"


@pytest.fixture
def school_db(tmp_path: Path) -> Iterator[str]:
    """Two schools with the service, a staff member of the first, one import of 3 pupils."""
    url = f"sqlite:///{tmp_path / 'base' / 'ecole.db'}"
    (tmp_path / "base").mkdir()
    db = connect(url)
    for uai in (UAI, OTHER):
        schools.add_school(operator(), uai, f"École {uai}")
        schools.set_service(operator(), uai, True)
    staff.add_staff(
        operator(), "secretariat", PASSWORD, UAI, settings=FAST_SETTINGS, must_change=False
    )
    yield url
    db.close()


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """The two schools' folders under a configured root, and a secret file outside them."""
    root = tmp_path / "fichiers"
    (tmp_path / "secret.csv").write_text("INE;Nom\n")
    return files.school_folder(root, UAI), files.school_folder(root, OTHER)


def refused(folder: Path, typed: str, base: str = files.INCOMING) -> str:
    with pytest.raises(BadInput) as error:
        files.read_confined(folder, typed, base)
    return error.value.message


def test_root_is_beside_the_database_unless_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = f"sqlite:///{tmp_path}/x/base.db"
    beside = tmp_path / "x" / "fichiers"
    assert replace(FAST_SETTINGS, db=base).files_root() == beside
    assert CycladesApp(db_url=base, settings=FAST_SETTINGS).files_root == beside  # resolved once
    monkeypatch.setenv("CYCLADES_FILES", str(tmp_path / "srv"))
    configured = load_settings()
    assert configured.files == tmp_path / "srv"
    assert replace(configured, db=base).files_root() == tmp_path / "srv"
    folder = files.school_folder(configured.files_root(), UAI)
    assert folder == tmp_path / "srv" / UAI
    assert (folder / "depot").is_dir() and (folder / "documents").is_dir()
    assert stat.S_IMODE((folder / "depot").stat().st_mode) == 0o700
    with pytest.raises(BadInput):
        files.school_folder(tmp_path, "../etc")


def test_the_demo_settings_name_the_database_in_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # --demo without --db: the demo's own file, not $CYCLADES_DB; the settings the TUI gets
    # say so, and its files go beside that file.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    start = open_for_tui(None, True, FAST_SETTINGS)
    demo_file = tmp_path / "data" / "cyclades-tui" / "cyclades-demo.db"
    try:
        assert start.settings.db == f"sqlite:///{demo_file}" != FAST_SETTINGS.db
        assert start.demo_actor is not None and start.demo_actor.login == DEMO_STAFF
        app = CycladesApp(demo_actor=start.demo_actor, settings=start.settings)
        assert app.files_root == demo_file.parent / "fichiers"
    finally:
        AuditEvent._meta.database.close()  # type: ignore[attr-defined]


def test_inside_paths_are_read(folders: tuple[Path, Path]) -> None:
    mine, _ = folders
    (mine / "depot" / "eleves.csv").write_bytes(b"abc")
    (mine / "depot" / "sous").mkdir()
    (mine / "depot" / "sous" / "b.csv").write_bytes(b"def")
    assert files.read_confined(mine, "eleves.csv") == b"abc"
    assert files.read_confined(mine, "sous/b.csv") == b"def"
    assert files.read_confined(mine, str(mine / "depot" / "eleves.csv")) == b"abc"
    # A link that stays inside the folder is fine.
    (mine / "depot" / "lien.csv").symlink_to(mine / "depot" / "eleves.csv")
    assert files.read_confined(mine, "lien.csv") == b"abc"
    message = refused(mine, "absent.csv")
    assert "introuvable" in message and str(mine) in message


def test_every_escape_is_refused_with_the_same_words(
    folders: tuple[Path, Path], tmp_path: Path
) -> None:
    mine, theirs = folders
    (theirs / "depot" / "leurs-eleves.csv").write_bytes(b"secret")
    (mine / "depot" / "vers-etc").symlink_to("/etc")
    (mine / "depot" / "passwd.csv").symlink_to("/etc/passwd")
    (mine / "depot" / "voisin.csv").symlink_to(theirs / "depot" / "leurs-eleves.csv")
    (mine / "depot" / "voisin").symlink_to(theirs)
    expected = files.outside(mine)
    assert str(mine) in expected and "Chemin refusé" in expected
    escapes = [
        "/etc/passwd",  # absolute, exists
        "/etc/nexiste-pas",  # absolute, does not exist
        str(tmp_path / "secret.csv"),  # absolute, beside the folder
        "../../secret.csv",  # ..
        "../documents/../../secret.csv",
        "sous/../../../secret.csv",
        "~/.ssh/authorized_keys",  # the service account's home
        "passwd.csv",  # link to a file outside
        "vers-etc/passwd",  # link to a folder outside
        "voisin.csv",  # link into another school
        "voisin/depot/leurs-eleves.csv",
        str(theirs / "depot" / "leurs-eleves.csv"),  # another school, absolute
        str(theirs / "depot" / "nexiste-pas.csv"),
        f"{mine}/../{OTHER}/depot/leurs-eleves.csv",
    ]
    for typed in escapes:
        assert refused(mine, typed) == expected, typed


def test_saving_stays_inside_and_never_replaces(
    school_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CYCLADES_FILES", str(tmp_path / "fichiers"))
    root = replace(FAST_SETTINGS, db=school_db).files_root()
    mine, theirs = files.school_folder(root, UAI), files.school_folder(root, OTHER)
    (tmp_path / "depot.csv").write_bytes(
        csv_bytes(*[f"{bea(60 + i)};Nom{i};;Prénom;;02/02/2010;3A;DNB;Inscrit" for i in range(3)])
    )
    from cyclades_tui.services.csv_import import import_csv

    import_csv(operator(), UAI, tmp_path / "depot.csv")
    secretariat = staff_login.actor_for("secretariat")
    document = account_generation.generate(secretariat, UAI, settings=FAST_SETTINGS).documents[0]
    name = files.proposed_name(secretariat, document.id, mine)
    first = files.save_document(secretariat, document.id, mine, name)
    assert first == mine / "documents" / name
    assert stat.S_IMODE(first.stat().st_mode) == 0o640
    assert len(slips_in(pdf_text(first))) == 3
    # The same document again: a free name is offered, the first file is kept.
    second_name = files.proposed_name(secretariat, document.id, mine)
    assert second_name == name.replace(".pdf", "-2.pdf")
    with pytest.raises(BadInput, match=r"existe déjà.*-2\.pdf"):
        files.save_document(secretariat, document.id, mine, name)
    # A folder (ending in /) gets the automatic, free name.
    os.chmod(mine / "documents", 0o2770)  # shared with the school's SFTP account
    in_folder = files.save_document(secretariat, document.id, mine, "classe-3A/")
    assert in_folder == mine / "documents" / "classe-3A" / name
    assert stat.S_IMODE((mine / "documents" / "classe-3A").stat().st_mode) == 0o2770
    victim = tmp_path / "victime"
    victim.write_text("intact")
    (mine / "documents" / "lien.pdf").symlink_to(victim)
    for typed in (
        "../../victime",
        str(victim),
        "lien.pdf",
        "~/.ssh/authorized_keys",
        str(theirs / "documents" / "x.pdf"),
    ):
        with pytest.raises(BadInput) as error:
            files.save_document(secretariat, document.id, mine, typed)
        assert error.value.message == files.outside(mine), typed
    assert victim.read_text() == "intact"
    assert list((theirs / "documents").iterdir()) == []
    assert not (tmp_path / "home").exists()
    exports = AuditEvent.select().where(AuditEvent.action == "document.export").count()
    assert exports == 2


async def test_tui_prompts_are_confined(school_db: str, tmp_path: Path) -> None:
    """The CSV prompt refuses a file outside the school's folder; « Sauver » twice offers a
    free name in documents/."""
    base = tmp_path / "base" / "fichiers"
    outside_csv = tmp_path / "eleves.csv"
    outside_csv.write_bytes(csv_bytes(f"{bea(71)};Roux;;Camille;;02/02/2010;3A;DNB;Inscrit"))
    app = CycladesApp(
        db_url=school_db, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_activity("import_csv")
        await settle(pilot)
        await pilot.press(*str(outside_csv), "enter")
        await settle(pilot)
        message = text_of(pilot, "#message").replace("\n", "")
        assert "Chemin refusé" in message and str(base / UAI) in message.replace(" ", "")
        assert Candidate.select().count() == 0
        (base / UAI / "depot" / "eleves.csv").write_bytes(outside_csv.read_bytes())
        field = app.screen.query_one("#path", Input)
        field.value = "eleves.csv"
        await pilot.press("enter")
        await settle(pilot)
        assert "1 ligne(s), 1 à ajouter" in text_of(pilot, "#message")
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert Candidate.select().count() == 1

        account_generation.generate(
            staff_login.actor_for("secretariat"), UAI, settings=FAST_SETTINGS
        )
        app.open_activity("documents")
        await settle(pilot)
        assert isinstance(app.screen, DocumentsScreen)
        names = []
        for _ in range(2):
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, PathModal)
            names.append(app.screen.query_one("#path", Input).value)
            await pilot.press("enter")
            await settle(pilot)
        assert names[1] == names[0].replace(".pdf", "-2.pdf")
        saved = sorted(p.name for p in (base / UAI / "documents").iterdir())
        assert saved == sorted(names)
        assert all(os.stat(base / UAI / "documents" / n).st_mode & 0o777 == 0o640 for n in saved)


def test_export_never_replaces_a_file_and_understands_folders(cli: Cli, tmp_path: Path) -> None:
    uai = import_sample(cli)
    result = account_generation.generate(operator(), uai, settings=FAST_SETTINGS)
    victim = tmp_path / "precieux.db"
    victim.write_bytes(b"ne pas toucher")
    refused = cli("documents", "export", str(result.documents[0].id), str(victim))
    assert refused.code == 2 and "existe déjà" in refused.err
    assert victim.read_bytes() == b"ne pas toucher"
    link = tmp_path / "lien.pdf"
    link.symlink_to(victim)
    assert cli("documents", "export", str(result.documents[0].id), str(link)).code == 2
    assert victim.read_bytes() == b"ne pas toucher"
    folder = tmp_path / "nouveau"
    folder.mkdir()  # a missing folder is refused (test_operator_commands.py)
    done = cli("documents", "export", str(result.documents[0].id), f"{folder}/")
    assert done.code == 0 and len(list(folder.glob("*.pdf"))) == 1


def test_one_writer_for_a_typed_path_refuses_a_missing_folder_and_a_taken_name(
    tmp_path: Path,
) -> None:
    # Whole documents, one pupil's slip and account exports are written by these two.
    from cyclades_tui.services import documents

    with pytest.raises(BadInput) as missing:
        documents.write_to_path(tmp_path / "absent" / "plus-bas" / "p.pdf", "d.pdf", b"%PDF")
    assert f"Dossier « {tmp_path / 'absent'} » introuvable" in missing.value.message
    assert not (tmp_path / "absent").exists()
    written = documents.write_to_path(f"{tmp_path}/", "d.pdf", b"%PDF")
    assert written == tmp_path / "d.pdf" and written.read_bytes() == b"%PDF"
    assert written.stat().st_mode & 0o777 == 0o600
    with pytest.raises(BadInput, match="existe déjà"):
        documents.write_new_file(written, b"autre")
    assert written.read_bytes() == b"%PDF"
