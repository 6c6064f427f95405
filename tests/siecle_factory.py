"""Builds realistic SIECLE « ElevesSansAdresses » exports (ISO-8859-1, optionally zipped).

The shape follows the BEE export SIECLE writes (docs/siecle.md): a ``BEE_ELEVES`` root,
``PARAMETRES`` (UAJ, school year, DATE_EXPORT as JJ/MM/AAAA), then ``DONNEES/ELEVES/ELEVE``
(identity, DATE_SORTIE for pupils who left during the year) and the classes apart in
``DONNEES/STRUCTURES``. Options write the variants met in the field: other encodings, a
byte-order mark left by an editor, no UAJ, no export date.

``python -m tests.siecle_factory`` rewrites examples/ElevesSansAdresses.xml from the sample
CSV; test_example_export_is_the_factory_output (tests/test_siecle_import.py) checks
the committed file is exactly that output.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXAMPLE_EXPORT_DATE = "16/11/2026"
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Pupil:
    """One pupil of the export."""

    eleve_id: str
    ine: str
    family: str
    first: str
    birth: str
    division: str
    usage: str = ""
    first2: str = ""
    left: str = ""  # DATE_SORTIE (JJ/MM/AAAA), empty for a pupil still at school


def export_xml(
    uaj: str | None,
    pupils: list[Pupil],
    *,
    encoding: str = "ISO-8859-1",
    declared: str | None = None,
    bom: bool = False,
    date_export: str | None = "29/11/2026",
) -> bytes:
    """The XML as SIECLE writes it: BEE_ELEVES root, structures apart.

    ``encoding`` is how the bytes are written, ``declared`` what the XML declaration says
    (the same by default), ``bom`` puts a UTF-8 byte-order mark first (as editors that
    re-save a file do). ``uaj`` or ``date_export`` None leaves the element out.
    """
    eleves = "\n".join(
        f"""    <ELEVE ELEVE_ID="{p.eleve_id}" ELENOET="{p.eleve_id}">
      <ID_NATIONAL>{escape(p.ine)}</ID_NATIONAL>
      <ELENOET>{p.eleve_id}</ELENOET>
      <NOM_DE_FAMILLE>{escape(p.family)}</NOM_DE_FAMILLE>
      <NOM_USAGE>{escape(p.usage)}</NOM_USAGE>
      <PRENOM>{escape(p.first)}</PRENOM>
      <PRENOM2>{escape(p.first2)}</PRENOM2>
      <DATE_NAISS>{p.birth}</DATE_NAISS>
      <CODE_SEXE>1</CODE_SEXE>
      <DATE_ENTREE>01/09/2026</DATE_ENTREE>"""
        + (f"\n      <DATE_SORTIE>{p.left}</DATE_SORTIE>" if p.left else "")
        + "\n    </ELEVE>"
        for p in pupils
    )
    structures = "\n".join(
        f"""    <STRUCTURES_ELEVE ELEVE_ID="{p.eleve_id}" ELENOET="{p.eleve_id}">
      <STRUCTURE>
        <CODE_STRUCTURE>{escape(p.division)}</CODE_STRUCTURE>
        <TYPE_STRUCTURE>D</TYPE_STRUCTURE>
      </STRUCTURE>
      <STRUCTURE>
        <CODE_STRUCTURE>G-{escape(p.division)}-LV2</CODE_STRUCTURE>
        <TYPE_STRUCTURE>G</TYPE_STRUCTURE>
      </STRUCTURE>
    </STRUCTURES_ELEVE>"""
        for p in pupils
    )
    parameters = "\n".join(
        line
        for line in (
            f"    <UAJ>{uaj}</UAJ>" if uaj is not None else "",
            "    <ANNEE_SCOLAIRE>2026</ANNEE_SCOLAIRE>",
            f"    <DATE_EXPORT>{date_export}</DATE_EXPORT>" if date_export is not None else "",
        )
        if line
    )
    text = f"""<?xml version="1.0" encoding="{declared or encoding}"?>
<BEE_ELEVES VERSION="3.1">
  <PARAMETRES>
{parameters}
  </PARAMETRES>
  <DONNEES>
  <ELEVES>
{eleves}
  </ELEVES>
  <STRUCTURES>
{structures}
  </STRUCTURES>
  </DONNEES>
</BEE_ELEVES>
"""
    # Characters outside the encoding (Œ or ễ in Latin-1) become numeric references, as
    # XML writers do.
    data = text.encode(encoding, "xmlcharrefreplace")
    return UTF8_BOM + data if bom else data


def export_zip(uaj: str, pupils: list[Pupil]) -> bytes:
    """The zip SIECLE delivers around ElevesSansAdresses.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ElevesSansAdresses.xml", export_xml(uaj, pupils))
    return buffer.getvalue()


def example_pupils() -> list[Pupil]:
    """The pupils of examples/candidats-exemple.csv, plus one who left before the export.

    SIECLE knows nothing of exams or candidature states: those columns have no place here.
    """
    text = (EXAMPLES / "candidats-exemple.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    pupils = [
        Pupil(
            str(1001 + index),
            row["INE"],
            row["Nom"],
            row["Prénom"],
            row["Date de naissance"],
            row["Division"],
            usage=row["Nom d'usage"],
            first2=row["Autres prénoms"],
        )
        for index, row in enumerate(rows)
    ]
    # Left on 6 November, ten days before the export: listed, never a candidate.
    pupils.append(
        Pupil(
            str(1001 + len(rows)),
            "1234567890V",
            "Perrin",
            "Alice",
            "02/05/2010",
            "3EA",
            left="06/11/2026",
        )
    )
    return pupils


def example_export() -> bytes:
    """The content of examples/ElevesSansAdresses.xml."""
    uai = (EXAMPLES / "candidats-exemple.uai").read_text().strip()
    return export_xml(uai, example_pupils(), date_export=EXAMPLE_EXPORT_DATE)


if __name__ == "__main__":
    target = EXAMPLES / "ElevesSansAdresses.xml"
    target.write_bytes(example_export())
    sys.stdout.write(f"{target} écrit.\n")


def _zipped(name: str, parts: list[bytes]) -> bytes:
    """A zip of one member written from ``parts`` (never joined: bombs stay small here)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(name, "w") as member,
    ):
        for part in parts:
            member.write(part)
    return buffer.getvalue()


def entity_bomb_zip(uaj: str, size: int = 60_000_000, uses: int = 95) -> bytes:
    """The issue's « 58 KB » zip: an internal entity of ``size`` « A » used ``uses`` times
    in NOM_DE_FAMILLE (gigabytes once expanded by a parser that expands entities)."""
    head = b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE BEE_ELEVES [\n<!ENTITY a "'
    tail = (
        '">\n]>\n<BEE_ELEVES><PARAMETRES><UAJ>' + uaj + "</UAJ></PARAMETRES><DONNEES>"
        '<ELEVES><ELEVE ELEVE_ID="1"><NOM_DE_FAMILLE>'
        + "&a;" * uses
        + "</NOM_DE_FAMILLE></ELEVE></ELEVES></DONNEES></BEE_ELEVES>\n"
    ).encode()
    block = b"A" * 1_000_000
    return _zipped("ElevesSansAdresses.xml", [head, *[block] * (size // len(block)), tail])


def nesting_bomb_zip(depth: int = 9_000_000) -> bytes:
    """The issue's « 61 KB » zip: ``depth`` nested elements and no DTD at all."""
    step = 1_000_000
    opens = [b"<a>" * min(step, depth - n) for n in range(0, depth, step)]
    closes = [b"</a>" * min(step, depth - n) for n in range(0, depth, step)]
    return _zipped(
        "ElevesSansAdresses.xml",
        [
            b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<BEE_ELEVES><DONNEES>',
            *opens,
            *closes,
            b"</DONNEES></BEE_ELEVES>\n",
        ],
    )
