"""The SIECLE export's XML read safely: zip or plain, as it is decompressed, within limits.

Every element is counted as expat reads it and the file is refused, in French, at the first
limit passed, so that a hostile file (a zip bomb, nested elements, entities) costs little.
What the pupils are is ``siecle_export``'s.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator
from xml.parsers import expat

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from cyclades_tui.domain.safe_text import safe_text
from cyclades_tui.services.errors import BadInput

# Limits of what an export may hold, well above a real one (a big lycée: ~3000 pupils, a few
# megabytes, six levels of elements, about forty fields a pupil, values under 100 characters).
# The XML is read as it is decompressed, pupil by pupil, and refused at the first limit passed,
# so that a small hostile file (a zip bomb, 9 million nested elements) costs little.
MAX_XML_BYTES = 32 * 1024 * 1024  # the file, and the XML once decompressed
MAX_DEPTH = 12  # nesting of elements
MAX_PUPILS = 20_000  # ELEVE and STRUCTURES_ELEVE each
MAX_ELEMENTS = 3_000_000  # elements in the whole file
MAX_FIELDS = 200  # child elements of one ELEVE or STRUCTURES_ELEVE
MAX_TEXT = 1_000  # characters of one value
READ_CHUNK = 64 * 1024

UTF8_BOM = b"\xef\xbb\xbf"
# The encoding pseudo-attribute of the XML declaration (bytes: read before any decoding).
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*(["'])([^"'>]{0,60})\1""")

_CODE = expat.errors.codes  # expat's English message -> its numeric error code
# Expat errors that only happen when the input stops too early: a truncated file.
_TRUNCATION_ERRORS = {
    _CODE[expat.errors.XML_ERROR_NO_ELEMENTS],
    _CODE[expat.errors.XML_ERROR_UNCLOSED_TOKEN],
    _CODE[expat.errors.XML_ERROR_PARTIAL_CHAR],
    _CODE[expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION],
}
_ENCODING_ERRORS = {
    _CODE[expat.errors.XML_ERROR_UNKNOWN_ENCODING],
    _CODE[expat.errors.XML_ERROR_INCORRECT_ENCODING],
}
# What the other expat errors mean, in French (the parser only speaks English).
_XML_ERRORS_FR = {
    _CODE[expat.errors.XML_ERROR_SYNTAX]: "erreur de syntaxe",
    _CODE[
        expat.errors.XML_ERROR_INVALID_TOKEN
    ]: "caractère ou balise invalide (un « & » ou un « < » non échappé, ou un octet qui ne "
    "correspond pas à l'encodage déclaré)",
    _CODE[
        expat.errors.XML_ERROR_TAG_MISMATCH
    ]: "balise fermante qui ne correspond pas à la balise ouverte",
    _CODE[expat.errors.XML_ERROR_DUPLICATE_ATTRIBUTE]: "attribut en double",
    _CODE[expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]: "contenu après la fin du document",
    _CODE[expat.errors.XML_ERROR_UNDEFINED_ENTITY]: "entité inconnue",
    _CODE[expat.errors.XML_ERROR_BAD_CHAR_REF]: "référence à un caractère invalide",
    _CODE[
        expat.errors.XML_ERROR_MISPLACED_XML_PI
    ]: "déclaration XML ailleurs qu'en tête du fichier",
    _CODE[expat.errors.XML_ERROR_XML_DECL]: "déclaration XML mal formée",
    _CODE[expat.errors.XML_ERROR_UNBOUND_PREFIX]: "préfixe d'espace de noms non déclaré",
}


def printable(text: str, limit: int = 40) -> str:
    """A value of the file fit to be quoted in a message: controls spelled out (``U+202E``)."""
    return safe_text(text[:limit])


class LimitPassed(Exception):
    """The export passes one of the limits above; the message (French) names it."""


_UNREADABLE_ZIP = BadInput(
    "Archive .zip illisible : elle est incomplète ou endommagée "
    "(téléchargez de nouveau l'export depuis SIECLE).",
    ["Fichier : archive .zip illisible"],
)
# A damaged archive fails in many ways: bad headers, bad deflate data, bad CRC,
# an unsupported compression method or an encrypted member.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    ValueError,
)


def too_big(what: str) -> BadInput:
    return BadInput(
        f"{what} trop volumineux : plus de {MAX_XML_BYTES // (1024 * 1024)} Mo, "
        "la limite d'un export SIECLE (un vrai export en fait quelques-uns).",
        [f"Fichier : {what} de plus de {MAX_XML_BYTES} octets"],
    )


def xml_chunks(data: bytes) -> Iterator[bytes]:
    """The XML, chunk by chunk: the bytes themselves, or the one member of the zip SIECLE
    delivers, decompressed as it is read and never beyond ``MAX_XML_BYTES`` (the size the
    archive announces may lie)."""
    if data[:4] != b"PK\x03\x04":
        for start in range(0, len(data), READ_CHUNK):
            yield data[start : start + READ_CHUNK]
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except _ZIP_ERRORS:
        raise _UNREADABLE_ZIP from None
    if len(members) != 1:
        names = ", ".join(printable(m.filename, 60) for m in members[:5]) or "aucun"
        raise BadInput(
            f"Archive SIECLE inattendue : elle doit contenir un seul fichier XML "
            f"(ElevesSansAdresses.xml), elle en contient {len(members)}.",
            [f"Fichier : {len(members)} fichier(s) dans l'archive ({names})"],
        )
    member = members[0]
    if not member.filename.lower().endswith(".xml"):
        raise BadInput(
            "Archive SIECLE sans fichier XML.",
            [f"Fichier : « {printable(member.filename, 60)} » n'est pas un .xml"],
        )
    total = 0
    try:
        with archive, archive.open(member) as stream:
            while chunk := stream.read(READ_CHUNK):
                total += len(chunk)
                if total > MAX_XML_BYTES:
                    raise too_big(f"Fichier XML {printable(member.filename, 60)} décompressé")
                yield chunk
    except _ZIP_ERRORS:
        raise _UNREADABLE_ZIP from None


class _ExportReader:
    """Expat's handlers (an ElementTree parser target): keeps what the import needs, pupil
    by pupil, and nothing else; counts depth, elements, fields and text as they come."""

    _PUPIL = ("BEE_ELEVES", "DONNEES", "ELEVES", "ELEVE")
    _STRUCTURES = ("BEE_ELEVES", "DONNEES", "STRUCTURES", "STRUCTURES_ELEVE")
    _PARAMETERS = ("BEE_ELEVES", "PARAMETRES")

    def __init__(self) -> None:
        self.path: list[str] = []
        self.elements = 0
        self.parameters: dict[str, str] | None = None
        self.pupils: list[tuple[str, dict[str, str]]] = []
        self.classes: dict[str, str] = {}
        self.structures = 0
        self._record: dict[str, str] | None = None  # the ELEVE or PARAMETRES being read
        self._record_id = ""
        self._fields = 0
        self._structure: dict[str, str] | None = None
        self._text: list[str] = []
        self._text_length = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """An element opens."""
        path = self.path
        path.append(tag)
        self.elements += 1
        depth = len(path)
        if depth == 1 and tag != "BEE_ELEVES":
            raise BadInput(
                "Ce n'est pas un export SIECLE des élèves (racine BEE_ELEVES attendue).",
                [f"Fichier : racine « {printable(tag)} » au lieu de BEE_ELEVES"],
            )
        if depth > MAX_DEPTH:
            raise LimitPassed(f"plus de {MAX_DEPTH} niveaux d'éléments imbriqués")
        if self.elements > MAX_ELEMENTS:
            raise LimitPassed(f"plus de {MAX_ELEMENTS} éléments")
        self._text, self._text_length = [], 0
        if depth in (2, 4):
            self._fields = 0  # the children of this element are counted from here
        if depth == 4 and tuple(path) == self._PUPIL:
            if len(self.pupils) >= MAX_PUPILS:
                raise LimitPassed(f"plus de {MAX_PUPILS} élèves (ELEVE)")
            self._record, self._record_id = {}, attrib.get("ELEVE_ID", "")
        elif depth == 4 and tuple(path) == self._STRUCTURES:
            self.structures += 1
            if self.structures > MAX_PUPILS:
                raise LimitPassed(f"plus de {MAX_PUPILS} élèves (STRUCTURES_ELEVE)")
            self._record_id = attrib.get("ELEVE_ID", "")
        elif depth == 2 and tag == "PARAMETRES" and self.parameters is None:
            self._record = {}
        elif depth in (3, 5):
            self._fields += 1
            if self._fields > MAX_FIELDS:
                raise LimitPassed(
                    f"plus de {MAX_FIELDS} champs dans un élément {printable(path[-2])}"
                )
            if depth == 5 and tuple(path[:4]) == self._STRUCTURES and tag == "STRUCTURE":
                self._structure = {}

    def data(self, text: str) -> None:
        """Text inside the current element."""
        self._text_length += len(text)
        if self._text_length > MAX_TEXT:
            raise LimitPassed(
                f"une valeur de plus de {MAX_TEXT} caractères (élément {printable(self.path[-1])})"
            )
        self._text.append(text)

    def end(self, tag: str) -> None:
        """An element closes: a field is kept (the first of its name), a pupil is done."""
        path = self.path
        depth = len(path)
        text = "".join(self._text).strip()
        self._text, self._text_length = [], 0
        if depth == 5 and self._record is not None and tuple(path[:4]) == self._PUPIL:
            self._record.setdefault(tag, text)
        elif depth == 4 and self._record is not None and tuple(path) == self._PUPIL:
            self.pupils.append((self._record_id, self._record))
            self._record = None
        elif (
            depth == 6
            and self._structure is not None
            and tag in ("TYPE_STRUCTURE", "CODE_STRUCTURE")
        ):
            self._structure.setdefault(tag, text)
        elif depth == 5 and self._structure is not None:
            if self._structure.get("TYPE_STRUCTURE") == "D":
                self.classes[self._record_id] = self._structure.get("CODE_STRUCTURE", "")
            self._structure = None
        elif depth == 3 and self._record is not None and tuple(path[:2]) == self._PARAMETERS:
            self._record.setdefault(tag, text)
        elif depth == 2 and self._record is not None and tag == "PARAMETRES":
            self.parameters, self._record = self._record, None
        path.pop()

    def close(self) -> None:
        """The end of the document (nothing kept: the reader is read afterwards)."""


def _declared_encoding(xml: bytes) -> str | None:
    """The encoding named by the XML declaration, if any."""
    found = _DECLARED_ENCODING.match(xml[:300])
    return found.group(2).decode("ascii", "replace") if found else None


def _trust_utf8_bom(xml: bytes) -> bytes:
    """A UTF-8 byte-order mark wins over the declaration, as the XML standard says.

    An editor that re-saves an ISO-8859-1 export as « UTF-8 with BOM » keeps the declaration
    ``encoding="ISO-8859-1"``; expat would then believe the declaration and garble every
    accented letter (« Ã© » for « é »).
    """
    if not xml.startswith(UTF8_BOM):
        return xml
    xml = xml[len(UTF8_BOM) :]
    return re.sub(
        rb"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"'>]*(["'])""",
        rb"\1\2UTF-8\3",
        xml,
        count=1,
    )


def read_export(chunks: Iterator[bytes]) -> _ExportReader:
    """Feed the XML to expat chunk by chunk; BadInput saying in French what is wrong and where.

    defusedxml's parser refuses a DOCTYPE, an entity declaration or an external reference as
    soon as it meets one: an export is data, and entities are how a small file expands into
    gigabytes.
    """
    reader = _ExportReader()
    parser = DefusedXMLParser(
        target=reader, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    first = True
    content = False
    declared: str | None = None
    try:
        for chunk in chunks:
            if first:
                declared = _declared_encoding(chunk)
                chunk = _trust_utf8_bom(chunk)
                first = False
            content = content or bool(chunk.strip())
            parser.feed(chunk)
        parser.close()
    except ET.ParseError as error:
        raise _parse_error(error, content, declared) from None
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        line = parser.parser.CurrentLineNumber
        raise BadInput(
            f"Export refusé : déclaration DOCTYPE ou d'entité XML à la ligne {line}. Un export "
            "SIECLE n'en contient pas (un fichier piégé s'en sert pour occuper des gigaoctets "
            "de mémoire) ; téléchargez de nouveau l'export depuis SIECLE.",
            [f"Fichier : DOCTYPE ou entité XML à la ligne {line}"],
        ) from None
    except LimitPassed as error:
        line = parser.parser.CurrentLineNumber
        raise BadInput(
            f"Export refusé à la ligne {line} : {error}, au-delà des limites d'un export SIECLE.",
            [f"Fichier : {error} (ligne {line})"],
        ) from None
    # LookupError: an encoding Python does not know (« x-macthai »); ValueError: one expat
    # cannot use (multi-byte ones other than UTF-8 and UTF-16, such as Shift-JIS).
    except (LookupError, ValueError):
        raise bad_encoding(declared) from None
    if first or not content:
        raise _empty()
    return reader


def _empty() -> BadInput:
    """The refusal of an export with nothing in it."""
    return BadInput("Fichier vide : ce n'est pas un export SIECLE.", ["Fichier : vide"])


def _parse_error(error: ET.ParseError, content: bool, declared: str | None) -> BadInput:
    """What expat's error means for an export, in French: empty, truncated, in an encoding
    it cannot read, or malformed at a line."""
    line = error.position[0]
    if not content:
        return _empty()
    if error.code in _TRUNCATION_ERRORS:
        return BadInput(
            f"Fichier XML tronqué : il s'arrête à la ligne {line} avant la fin de l'export "
            "(copie ou téléchargement incomplet ; téléchargez de nouveau l'export).",
            [f"Fichier : XML tronqué à la ligne {line}"],
        )
    if error.code in _ENCODING_ERRORS:
        return bad_encoding(declared)
    reason = _XML_ERRORS_FR.get(error.code, "syntaxe XML incorrecte")
    return BadInput(
        f"Fichier XML mal formé à la ligne {line} : {reason}.",
        [f"Fichier : XML mal formé à la ligne {line} ({reason})"],
    )


def bad_encoding(declared: str | None) -> BadInput:
    name = printable(declared or "?")
    return BadInput(
        f"Encodage « {name} » non pris en charge : enregistrez l'export en ISO-8859-1 (celui de "
        "SIECLE), ISO-8859-15, Windows-1252 ou UTF-8.",
        [f"Fichier : encodage « {name} » non pris en charge"],
    )
