"""The TUI through a PostgreSQL outage: a French message, no traceback, then it works again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cyclades_tui.services import schools, staff, staff_login
from cyclades_tui.services.actor import operator
from cyclades_tui.services.csv_import import import_csv
from cyclades_tui.services.db_session import connect
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.screens.candidates import CandidatesScreen
from cyclades_tui.ui.screens.generate import GenerateScreen
from tests.helpers import FAST_SETTINGS, bea, csv_bytes, drop_pg_schema, new_pg_schema
from tests.tcp_proxy import TcpProxy
from tests.ui_helpers import settle, table_rows, text_of

UAI = "0392689L"


@pytest.fixture
def proxied_pg() -> Iterator[tuple[str, TcpProxy]]:
    """A fresh PostgreSQL schema reached through a proxy the test can cut."""
    url, schema = new_pg_schema()
    proxy = TcpProxy(("127.0.0.1", 5432))
    port = proxy.start()
    proxied = url.replace("127.0.0.1:5432", f"127.0.0.1:{port}")
    db = connect(proxied)
    yield proxied, proxy
    proxy.cut()
    db.close()
    drop_pg_schema(schema)


@pytest.mark.postgres
async def test_outage_then_recovery(proxied_pg: tuple[str, TcpProxy]) -> None:
    url, proxy = proxied_pg
    schools.add_school(operator(), UAI, "Lycée")
    schools.set_service(operator(), UAI, True)
    import_csv(operator(), UAI, csv_bytes(f"{bea(1)};Roux;;Camille;;09/11/2010;3A;DNB;Inscrit"))
    staff.add_staff(
        operator(),
        "agent",
        "mot de passe assez long",
        UAI,
        settings=FAST_SETTINGS,
        must_change=False,
    )
    app = CycladesApp(db_url=url, demo_actor=staff_login.actor_for("agent"), settings=FAST_SETTINGS)
    async with app.run_test(size=(80, 24)) as pilot:
        proxy.cut()
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CandidatesScreen)
        assert "injoignable" in text_of(pilot, "#message")
        assert table_rows(pilot, "#candidates") == []
        await pilot.press("escape", "g")
        await settle(pilot)
        assert isinstance(app.screen, GenerateScreen)
        assert "injoignable" in text_of(pilot, "#message")
        proxy.restore()
        await pilot.press("escape", "c")
        await settle(pilot)
        assert [r[-1] for r in table_rows(pilot, "#candidates")] == [bea(1)]
        await pilot.press("escape", "g")
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert "1 compte(s) créé(s)" in text_of(pilot, "#message")
