"""Secrets: passwords only in stored documents; purge; private files; nothing on screen after."""

from __future__ import annotations

import html
import json
import logging
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from cyclades_tui.domain.passwords import generate_password
from cyclades_tui.pdf import DocumentInfo, SlipData
from cyclades_tui.pdf.readback import read_credentials
from cyclades_tui.services import (
    account_generation,
    account_regeneration,
    accounts,
    documents,
    staff,
    staff_login,
)
from cyclades_tui.services.actor import operator
from cyclades_tui.services.errors import Refused, ServiceError
from cyclades_tui.store.models import AuditEvent, Document, utcnow
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.screens.preview import PreviewScreen
from tests.helpers import FAST_SETTINGS, Cli, add_school, bea, csv_bytes
from tests.ui_helpers import settle

UAI, OTHER = "0392689L", "0750001U"


def setup_school(cli: Cli, count: int = 3) -> None:
    add_school(cli, UAI)
    from cyclades_tui.services.csv_import import import_csv

    import_csv(
        operator(),
        UAI,
        csv_bytes(*[f"{bea(i)};Roux;;Camille;;09/11/2010;3A;DNB;Inscrit" for i in range(count)]),
    )


def all_passwords() -> list[str]:
    found = []
    for document in Document.select():
        found += [p for _, p in read_credentials(bytes(document.data))]
    return found


def test_no_password_in_logs_or_errors(cli: Cli, caplog: pytest.LogCaptureFixture) -> None:
    setup_school(cli)
    caplog.set_level(logging.DEBUG)  # peewee logs every statement with its parameters
    generated = account_generation.generate(operator(), UAI, settings=FAST_SETTINGS)
    regenerated = account_regeneration.regenerate(operator(), UAI, bea(1), settings=FAST_SETTINGS)
    passwords = all_passwords()
    assert len(passwords) == 3 + 3 + 1
    logged = caplog.text
    assert "INSERT" in logged  # the log was really captured
    assert not [p for p in passwords if p in logged]
    login, current = read_credentials(bytes(Document.get_by_id(regenerated.documents[0].id).data))[
        0
    ]
    messages = []
    for attempt in (
        (login, current, "court"),
        (login, current, "x" * 80),
        (login, current, "Un\x07mot de passe"),
        (login, current + "z", "autre chose"),
        (login, current, current),
    ):
        with pytest.raises(ServiceError) as caught:
            accounts.change_password(*attempt, settings=FAST_SETTINGS)
        messages.append(caught.value.message)
    assert not [m for m in messages if current in m or "Un\x07mot" in m]
    assert generated.created == 3
    slip = SlipData(
        login=login,
        password=generate_password(),
        family_name="X",
        usage_name="",
        first_name="Y",
        ine="1",
        exam_code="DNB",
        exam_label="D",
        division="3A",
    )
    assert str(slip.password) not in repr(slip)
    assert DocumentInfo  # the renderer's other type holds no secret


def test_purge_removes_old_documents_only(cli: Cli) -> None:
    setup_school(cli)
    account_generation.generate(operator(), UAI, settings=FAST_SETTINGS)
    Document.update(created_at=utcnow() - timedelta(days=40)).execute()
    recent = account_regeneration.regenerate(operator(), UAI, bea(0), settings=FAST_SETTINGS)
    refused = cli("documents", "purge", "--older-than", "-3")
    assert refused.code == 2
    done = cli("documents", "purge", "--older-than", "30")
    assert done.code == 0 and "2 document(s)" in done.out
    assert [d.id for d in Document.select()] == [recent.documents[0].id]
    event = AuditEvent.select().where(AuditEvent.action == "document.purge").get()
    assert "2 document(s)" in event.detail
    assert (
        json.loads(cli("documents", "list", "--school", UAI, "--json").out)[0]["id"]
        == recent.documents[0].id
    )


def test_staff_purge_only_their_school(cli: Cli) -> None:
    setup_school(cli)
    add_school(cli, OTHER, "Autre")
    staff.add_staff(
        operator(),
        "agent.autre",
        "mot de passe assez long",
        OTHER,
        settings=FAST_SETTINGS,
        must_change=False,
    )
    agent = staff_login.authenticate(
        "agent.autre", "mot de passe assez long", settings=FAST_SETTINGS
    )
    account_generation.generate(operator(), UAI, settings=FAST_SETTINGS)
    Document.update(created_at=utcnow() - timedelta(days=40)).execute()
    assert documents.purge(agent, 30) == 0
    with pytest.raises(ServiceError):
        documents.purge(agent, 30, UAI)
    assert Document.select().count() == 2


def test_database_and_exports_are_private(sqlite_url: str, tmp_path: Path) -> None:
    cli = Cli(sqlite_url)
    setup_school(cli)
    result = cli("accounts", "generate", "--school", UAI, "--out", str(tmp_path / "out"), "--json")
    files = json.loads(result.out)["files"]
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    checked = [path, *[Path(f) for f in files]]
    checked += [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
    assert len(checked) >= 3
    for file in checked:
        assert stat.S_IMODE(os.stat(file).st_mode) & 0o077 == 0, file


def screen_text(app: CycladesApp) -> str:
    """What the terminal shows, as text (the SVG export escapes &, < and spaces)."""
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


async def test_passwords_leave_the_screen_with_the_preview(sqlite_url: str) -> None:
    cli = Cli(sqlite_url)
    setup_school(cli)
    staff.add_staff(
        operator(),
        "agent",
        "mot de passe assez long",
        UAI,
        settings=FAST_SETTINGS,
        must_change=False,
    )
    result = account_generation.generate(operator(), UAI, settings=FAST_SETTINGS)
    passwords = [
        p for _, p in read_credentials(bytes(Document.get_by_id(result.documents[0].id).data))
    ]
    app = CycladesApp(
        db_url=sqlite_url, demo_actor=staff_login.actor_for("agent"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        assert not [p for p in passwords if p in screen_text(app)]
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert all(p in screen_text(app) for p in passwords)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PreviewScreen)
        assert not [p for p in passwords if p in screen_text(app)]


def test_a_password_typed_as_login_is_not_audited(db_url: str) -> None:
    with pytest.raises(Refused):
        staff_login.authenticate("Mon Secret 2026!", "x", settings=FAST_SETTINGS)
    trail = [(e.actor, e.detail) for e in AuditEvent.select()]
    assert trail == [("?", "identifiant inconnu")]
