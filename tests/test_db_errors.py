"""Database failures are told apart by the driver's code (SQLite's result code, PostgreSQL's
SQLSTATE), on real databases: a corrupt file is not « schéma pas à jour »."""

from __future__ import annotations

from pathlib import Path

import pytest

from cyclades_tui.cli import main
from cyclades_tui.services import db_errors as db_error_words
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.db_session import connect
from cyclades_tui.services.errors import DatabaseUnavailable
from cyclades_tui.store.database import database_proxy


def test_a_corrupt_sqlite_file_is_said_damaged(tmp_path: Path) -> None:
    path = tmp_path / "cyclades.db"
    # A real database, then its pages overwritten: the header stays, the content is noise.
    connect(f"sqlite:///{path}").close()
    data = bytearray(path.read_bytes())
    data[100:] = b"\xa5" * (len(data) - 100)
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseUnavailable) as caught:
        connect(f"sqlite:///{path}")
    assert caught.value.message == db_error_words.DAMAGED
    assert "init" not in caught.value.message


def test_a_file_that_is_not_a_database_is_said_damaged(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"ceci n'est pas une base SQLite\n" * 200)
    with pytest.raises(DatabaseUnavailable) as caught:
        connect(f"sqlite:///{path}")
    assert caught.value.message == db_error_words.DAMAGED


def test_a_missing_table_asks_for_init(tmp_path: Path) -> None:
    db = connect(f"sqlite:///{tmp_path / 'empty.db'}", upgrade=False)
    try:
        with pytest.raises(DatabaseUnavailable) as caught, db_errors():
            database_proxy.execute_sql("SELECT * FROM candidate")
        assert caught.value.message == db_error_words.OLD_SCHEMA
    finally:
        db.close()


@pytest.mark.postgres
def test_postgresql_codes(pg_url: str) -> None:
    db = connect(pg_url)
    try:
        with pytest.raises(DatabaseUnavailable) as caught, db_errors():
            database_proxy.execute_sql("SELECT * FROM no_such_table_here")
        assert caught.value.message == db_error_words.OLD_SCHEMA  # SQLSTATE 42P01
        with pytest.raises(DatabaseUnavailable) as caught, db_errors():
            database_proxy.execute_sql("SELEC 1")  # 42601: no verdict of its own
        assert caught.value.message == db_error_words.REFUSED
    finally:
        db.close()


def test_an_unreachable_server_is_said_unreachable(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable) as caught:
        connect("postgresql://nobody@127.0.0.1:9/test")
    assert caught.value.message == db_error_words.UNREACHABLE


def test_the_cli_says_it_in_french(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x5a" * 8000)
    code = main(["school", "list", "--db", f"sqlite:///{path}"])
    err = capsys.readouterr().err
    assert code == 1
    assert db_error_words.DAMAGED in err and "interne" not in err
