"""Builds realistic SIECLE « ElevesSansAdresses » exports (ISO-8859-1, optionally zipped)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape


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


def export_xml(uaj: str, pupils: list[Pupil]) -> bytes:
    """The XML as SIECLE writes it: ISO-8859-1, BEE_ELEVES root, structures apart."""
    eleves = "\n".join(
        f"""    <ELEVE ELEVE_ID="{p.eleve_id}" ELENOET="{p.eleve_id}">
      <ID_NATIONAL>{escape(p.ine)}</ID_NATIONAL>
      <NOM_DE_FAMILLE>{escape(p.family)}</NOM_DE_FAMILLE>
      <NOM_USAGE>{escape(p.usage)}</NOM_USAGE>
      <PRENOM>{escape(p.first)}</PRENOM>
      <PRENOM2>{escape(p.first2)}</PRENOM2>
      <DATE_NAISS>{p.birth}</DATE_NAISS>
      <CODE_SEXE>1</CODE_SEXE>
    </ELEVE>""" for p in pupils)
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
    </STRUCTURES_ELEVE>""" for p in pupils)
    text = f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<BEE_ELEVES VERSION="3.1">
  <PARAMETRES>
    <UAJ>{uaj}</UAJ>
    <ANNEE_SCOLAIRE>2026</ANNEE_SCOLAIRE>
    <DATE_EXPORT>29/11/2026</DATE_EXPORT>
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
    # Characters outside Latin-1 (Œ, ễ) become numeric references, as XML writers do.
    return text.encode("iso-8859-1", "xmlcharrefreplace")


def export_zip(uaj: str, pupils: list[Pupil]) -> bytes:
    """The zip SIECLE delivers around ElevesSansAdresses.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ElevesSansAdresses.xml", export_xml(uaj, pupils))
    return buffer.getvalue()
