"""The longest messages the app can show (refusals, printing, lock-out, imports, files),
made by the code that shows them: the message and snapshot tests check each is whole."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from cyclades_tui.domain.exams import eligibility_rule
from cyclades_tui.services import printing
from cyclades_tui.services.access import CHANGED, INACTIVE, SERVICE_MISSING
from cyclades_tui.services.account_generation import NO_ELIGIBLE
from cyclades_tui.services.errors import BadInput
from cyclades_tui.services.files import outside
from cyclades_tui.services.import_chunks import too_many
from cyclades_tui.services.memory import OUT_OF_MEMORY
from cyclades_tui.services.siecle_export import parse_siecle
from cyclades_tui.services.siecle_xml import bad_encoding
from cyclades_tui.services.staff_login import refusal_message
from cyclades_tui.settings import Settings
from cyclades_tui.ui.screens.siecle_import import EMPTY_DEPOT, PICK_HINT
from tests.helpers import bea

NAME = "Dupont-Fontaine-Beaumarchais Marie-Charlotte"


def file_refusals() -> list[str]:
    """What the SIECLE import says of damaged or hostile files, made by reading such files."""
    files = [
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<BEE_ELEVES/>',
        b'<?xml version="1.0"?>\n<BEE_ELEVES>\n<DONNEES>\n<ELEVES>\n<ELEVE',
        b"PK\x03\x04 damaged",
        zip_of("a.xml", "b.xml"),
    ]
    refusals = []
    for data in files:
        with pytest.raises(BadInput) as refused:
            parse_siecle(data)
        refusals.append(refused.value.message)
    return refusals


def zip_of(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<BEE_ELEVES/>")
    return out.getvalue()


def long_messages() -> list[str]:
    """The longest messages of the refusals, printing, lock-out, imports and files."""
    return [
        *file_refusals(),
        printing.NO_CUPS,
        printing.printer_rejecting("Salle-des-professeurs-B12"),
        printing.printer_unreachable("Salle-des-professeurs-B12"),
        CHANGED,
        INACTIVE,
        OUT_OF_MEMORY,
        too_many(100_000, 5_000),
        refusal_message(Settings()),
        printing.printer_stopped("Salle-des-professeurs-B12"),
        printing.NOT_ANSWERING,
        printing.NO_DEFAULT,
        printing.no_such_printer("Secretariat-etage-2"),
        SERVICE_MISSING,
        NO_ELIGIBLE,
        f"Le candidat {bea(7)} ({NAME}) n'a pas de compte : sa candidature « En cours "
        f"d'inscription » au CAP n'est pas éligible ({eligibility_rule()}).",
        f"2 compte(s) régénéré(s) pour {NAME}. Document « Papillon de connexion — "
        f"{NAME} — 04/12/2026 16:02 » enregistré (n° 12345) : « Afficher le compte rendu » "
        "pour l'imprimer.",
        outside(Path("/srv/cyclades/fichiers/0392689L")),
        bad_encoding("x-mac-thai-ancien").message,
        PICK_HINT,
        EMPTY_DEPOT,
        "Vérifié : 120 nouvel(s) élève(s), 21 nouvelle(s) candidature(s) d'élève(s) déjà "
        "connu(s), 3 mis à jour, 412 inchangé(s). 4 élève(s) sans INE ignoré(s). 2 élève(s) "
        "sorti(s) laissé(s) de côté. 21 élève(s) déjà candidat(s) à un autre examen : "
        "« Importer » demandera confirmation. « Importer » pour importer.",
    ]
