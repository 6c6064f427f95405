"""System errors in French: the text shown for an ``OSError`` instead of its English ``strerror``.

Messages quote the reason after naming the file (« Impossible d'écrire « x.pdf » : disque
plein. »): ``strerror`` would put « No space left on device » inside a French sentence.
"""

from __future__ import annotations

import errno

_TEXT: dict[int, str] = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EACCES: "accès refusé (droits du fichier ou du dossier)",
    errno.EPERM: "opération non permise (droits du fichier ou du dossier)",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "disque plein (quota dépassé)",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.EEXIST: "le fichier existe déjà",
    errno.ELOOP: "lien symbolique refusé",
    errno.ENAMETOOLONG: "nom trop long",
    errno.EIO: "erreur d'entrée-sortie du disque",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.ENFILE: "trop de fichiers ouverts",
    errno.EFBIG: "fichier trop grand",
    errno.EBUSY: "fichier ou dossier occupé",
    errno.ETXTBSY: "fichier occupé",
    errno.EXDEV: "dossiers sur des disques différents",
    errno.ENOTEMPTY: "dossier non vide",
    errno.EINVAL: "nom ou opération invalide",
}


def os_error_text(error: OSError) -> str:
    """The French reason of ``error``, without a final full stop; a code never seen here is
    named (« erreur système EXYZ ») rather than quoted in English."""
    code = error.errno
    if code is None:
        return "erreur système"
    if code in _TEXT:
        return _TEXT[code]
    return f"erreur système {errno.errorcode.get(code, str(code))}"
