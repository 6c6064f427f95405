"""The activities of the « Mon établissement » menu, in menu order."""

from __future__ import annotations

# Activity key -> (label, help) in menu order; the labels are CYCLADES' own words.
ACTIVITIES: dict[str, tuple[str, str]] = {
    "generate": ("Générer les comptes Cyclades de mes élèves",
                 "Créer les comptes des candidats éligibles et leurs papillons"),
    "regenerate": ("Regénérer le mot de passe d'un compte d'un élève",
                   "Nouveau mot de passe et papillon pour un candidat"),
    "documents": ("Afficher le compte rendu",
                  "Liste des documents générés : enregistrer, imprimer, consulter"),
    "candidates": ("Mes candidats", "Tous les candidats de l'établissement, filtrables"),
    "import_bee": ("Importer mes élèves depuis la BEE",
                   "Importer un export SIECLE (ElevesSansAdresses .zip ou .xml)"),
    "import_csv": ("Importer HORS BEE", "Importer des candidats depuis un fichier CSV"),
    "journal": ("Journal", "Qui a fait quoi et quand dans cet établissement"),
}
