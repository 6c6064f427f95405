"""The words of README's key table, screen by screen.

Each row names the registry actions it shows and writes each key as ``{action-id}``:
``actions.key_table`` puts the registry's key there, so that a key is still changed in one
place (``actions.py``) and the README follows. A row says which keys a screen offers and
what they do; ``tests/test_ui_actions.py`` checks that every key a footer shows has its row.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenKeys:
    """A row of README's key table: a screen, its keys and what they do.

    ``text`` names each key as ``{action-id}``; the README shows the registry's key there.
    """

    screen: str
    actions: tuple[str, ...]
    text: str


KEY_TABLE: tuple[ScreenKeys, ...] = (
    ScreenKeys(
        "Connexion",
        ("connect",),
        "`Tab`/{connect} d'un champ à l'autre, {connect} pour se connecter (une "
        "tentative à la fois)",
    ),
    ScreenKeys(
        "Choix de l'établissement (gestionnaire)",
        ("toggle-service", "logout"),
        "flèches + `Entrée` : agir pour l'établissement ; {toggle-service} positionne "
        "ou retire son service ; {logout} Déconnexion",
    ),
    ScreenKeys(
        "Mon établissement (menu)",
        (
            "open-generate",
            "open-regenerate",
            "open-documents",
            "open-candidates",
            "open-import_siecle",
            "open-import_csv",
            "open-journal",
            "open-password",
            "logout",
            "home-back",
        ),
        "flèches + `Entrée` (part de la première ligne, s'arrête aux deux bouts), ou "
        "{open-generate} générer, {open-regenerate} regénérer, {open-documents} compte "
        "rendu, {open-candidates} candidats, {open-import_siecle} import BEE, "
        "{open-import_csv} HORS BEE, {open-journal} journal, {open-password} mot de "
        "passe ; {logout} Déconnexion (demande confirmation ; {home-back} ne déconnecte "
        "jamais)",
    ),
    ScreenKeys(
        "Générer les comptes",
        ("generate", "report"),
        "{generate} Générer (barre de progression ; la génération continue si l'on "
        "quitte l'écran et s'affiche à sa réouverture ; une seconde pour le même "
        "établissement est refusée tant qu'elle tourne), {report} Afficher le compte "
        "rendu (`Échap` revient ici)",
    ),
    ScreenKeys(
        "Regénérer le mot de passe",
        ("regenerate-one", "report"),
        "Etat (Inscrit / Pré-inscrit : Tab, flèches, Entrée) et « INE ou nom » : un "
        "INE est vérifié à la frappe ; un nom liste les élèves correspondants (classe, "
        "INE, date de naissance, compte : Tab, flèches, Entrée) ; le candidat est "
        "affiché avant toute génération, ou la vraie raison du refus (état, examen non "
        "éligible, pas encore de compte) ; {regenerate-one} Générer (demande "
        "confirmation), {report} compte rendu",
    ),
    ScreenKeys(
        "Afficher le compte rendu",
        (
            "next-page",
            "previous-page",
            "filter",
            "save",
            "print",
            "preview",
            "one-slip",
            "toggle-passwords",
            "close",
        ),
        "« Liste des documents générés », 10 par page, chacun avec sa mise en page "
        "(`1/page`, `2/page`), son nombre de papillons, sa taille et son type et, pour "
        "un document d'un seul papillon, l'élève et sa classe. Les lettres sont du "
        "texte : taper filtre par élève (nom, INE) ou classe (`Entrée` revient à la "
        "liste, {filter} au filtre) ; {next-page}/{previous-page} pages, {save} "
        "enregistrer dans un fichier (dans le dossier `documents/` de l'établissement, "
        "un nom libre proposé), {print} imprimer avec CUPS (une question nomme d'abord "
        "le document, ses papillons, ses pages et l'imprimante ; `Entrée` annule), "
        "{preview} voir les papillons en texte avec nom, classe et INE de chaque élève "
        "(mots de passe masqués, {toggle-passwords} les montre, {close} ferme), "
        "{one-slip} le papillon d'un seul élève (recherche par nom, INE ou classe ; "
        "voir, imprimer ou enregistrer cette seule page)",
    ),
    ScreenKeys(
        "Mes candidats",
        ("table", "candidates-filter", "import-bee", "import-csv"),
        "taper filtre (chaque mot doit correspondre : nom, INE, classe, examen, état, "
        "identifiant), {table} liste (`→` montre la date de naissance et l'INE à 80 "
        "colonnes ; un terminal plus large les montre et élargit les noms), "
        "{candidates-filter} filtre, {import-bee} import BEE, {import-csv} import CSV. "
        "Colonnes : nom, prénom, classe, examen, état, compte (ou « à générer », ou "
        "« non éligible (examen/état) »), date de naissance, INE",
    ),
    ScreenKeys(
        "Importer mes élèves depuis la BEE",
        ("check", "import", "reload"),
        "l'export choisi dans la liste des fichiers du dossier `depot/` de "
        "l'établissement (le plus récent d'abord, avec date et taille ; {reload} la "
        "relit), `Entrée` le lit ; examen, état initial, classes (aucune cochée, "
        "`Espace` coche), {check} vérifie (nouveaux élèves, nouvelles candidatures "
        "d'élèves connus, mis à jour, inchangés), {import} importe (une question nomme "
        "d'abord les élèves déjà candidats à un autre examen)",
    ),
    ScreenKeys(
        "Importer HORS BEE",
        ("check", "import"),
        "nom du CSV (dans le dossier `depot/` de l'établissement), `Entrée`/{check} "
        "vérifie le fichier et l'affiche avec chaque erreur, {import} importe",
    ),
    ScreenKeys(
        "Changer mon mot de passe",
        ("password-enter", "password-logout", "back"),
        "le mot de passe actuel, puis deux fois le nouveau ; {password-enter} champ "
        "suivant, puis enregistre. Ouvert depuis le menu ou la palette ({back} retour), "
        "ou de lui-même après une connexion avec un mot de passe choisi par un autre : "
        "là {password-logout} déconnecte, rien d'autre ne passe",
    ),
    ScreenKeys(
        "Journal",
        ("reload",),
        "qui a fait quoi et quand dans cet établissement, le "
        "plus récent d'abord ; {reload} le relit",
    ),
    ScreenKeys(
        "partout",
        ("back", "quit", "palette"),
        "{back} « Retour » : ferme la fenêtre ou le panneau ouvert, sinon revient à "
        "l'écran précédent (ne déconnecte jamais) ; {quit} quitter (demande d'abord "
        "si une génération tourne) ; {palette} palette de commandes (chaque activité "
        "y est)",
    ),
)
