"""The audit trail of a scripted day lists each step in order and holds no password."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cyclades_tui.services import (
    account_generation,
    account_regeneration,
    documents,
    staff,
    staff_login,
)
from cyclades_tui.services.actor import operator
from cyclades_tui.services.csv_import import import_csv
from cyclades_tui.services.errors import Refused
from cyclades_tui.store.models import Account, AuditEvent, Staff
from tests.helpers import FAST_SETTINGS, Cli, add_school, bea, csv_bytes, pdf_text, slips_in

UAI = "0392689L"
STAFF_PASSWORD = "secret du bureau des examens"


def test_a_scripted_day(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    staff.add_staff(
        operator(), "secretariat", STAFF_PASSWORD, UAI, settings=FAST_SETTINGS, must_change=False
    )
    with pytest.raises(Refused):  # the failure itself is what is audited
        staff_login.authenticate("secretariat", "faux mot de passe", settings=FAST_SETTINGS)
    actor = staff_login.authenticate("secretariat", STAFF_PASSWORD, settings=FAST_SETTINGS)
    import_csv(
        actor,
        UAI,
        csv_bytes(*[f"{bea(i)};Roux;;Camille;;09/11/2010;3A;DNB;Inscrit" for i in range(1, 4)]),
    )
    generated = account_generation.generate(actor, UAI, settings=FAST_SETTINGS)
    regenerated = account_regeneration.regenerate(actor, UAI, bea(2), settings=FAST_SETTINGS)
    exported = documents.export(actor, regenerated.documents[0].id, tmp_path / "p.pdf")

    result = cli("audit", "--school", UAI, "--json")
    assert result.code == 0, result.err
    events = json.loads(result.out)
    steps = [(e["actor"], e["action"], e["success"]) for e in events if e["actor"] == "secretariat"]
    assert steps == [
        ("secretariat", "login", False),
        ("secretariat", "login", True),
        ("secretariat", "import.csv", True),
        ("secretariat", "accounts.generate", True),
        ("secretariat", "accounts.regenerate", True),
        ("secretariat", "document.export", True),
    ]
    assert events == sorted(events, key=lambda e: e["at"])
    # No password anywhere in the trail: neither the staff one nor any slip's.
    passwords = [STAFF_PASSWORD, "faux mot de passe"]
    for doc in generated.documents + regenerated.documents:
        _, data = documents.fetch(actor, doc.id)
        passwords += [p for _, p in slips_in(pdf_text(data, tmp_path))]
    assert len(passwords) > 5
    trail = json.dumps(events, ensure_ascii=False) + " ".join(e.detail for e in AuditEvent.select())
    assert not [p for p in passwords if p in trail]
    # Nor in the accounts and staff tables (bcrypt hashes only).
    stored = " ".join(a.password_hash for a in Account.select()) + " ".join(
        s.password_hash for s in Staff.select()
    )
    assert not [p for p in passwords if p in stored]
    assert str(exported) in " ".join(e["detail"] for e in events)
    text = cli("audit", "--school", UAI, "--since", "2000-01-01").out
    assert "accounts.regenerate" in text and "ÉCHEC" in text
    assert cli("audit", "--school", UAI, "--since", "hier").code == 2
