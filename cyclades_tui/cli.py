"""The `cyclades-tui` command: the TUI with no subcommand, else scripted use of the services."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import resource
import signal
import sys
import textwrap
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO, cast

from cyclades_tui.domain.exams import ELIGIBLE_STATES, fold
from cyclades_tui.domain.names import local_time
from cyclades_tui.domain.os_errors import os_error_text
from cyclades_tui.domain.safe_text import safe_json, safe_text
from cyclades_tui.services import (
    account_exports,
    accounts,
    audit,
    documents,
    schools,
    single_slip,
    staff,
)
from cyclades_tui.services.actor import ROLE_MANAGER, ROLE_SCHOOL, Actor, operator
from cyclades_tui.services.backup import backup
from cyclades_tui.services.csv_import import import_csv
from cyclades_tui.services.demo import reset_demo_password, seed_demo
from cyclades_tui.services.errors import (
    BadInput,
    OtherExamCandidates,
    PupilsWithoutIne,
    ServiceError,
)
from cyclades_tui.services.memory import EXIT_OUT_OF_MEMORY, OUT_OF_MEMORY, limit_memory
from cyclades_tui.services.runtime import connect, init_schema
from cyclades_tui.services.siecle_import import export_divisions, import_siecle
from cyclades_tui.settings import (
    LoadedSettings,
    Settings,
    SettingsError,
    load_settings_with_sources,
)

EXIT_OK, EXIT_REFUSED, EXIT_BAD_INPUT = 0, 1, 2
# Staff connect over SSH, where ForceCommand starts the TUI whatever they type: the way out
# is a terminal (ssh -t). The operator, on the server itself, has the subcommands.
NO_TERMINAL = (
    "cyclades-tui a besoin d'un terminal interactif : connectez-vous avec « ssh -t » "
    "(par exemple « ssh -t cyclades@serveur »)."
)

# Where the settings come from: the operator's first question on a server.
SETTINGS_HELP = (
    "Réglages : le fichier de configuration $CYCLADES_CONFIG, sinon "
    "/etc/cyclades-tui/config.toml s'il existe (le même pour l'interface, les commandes et "
    "cron), puis les variables CYCLADES_<NOM>, puis --db. « cyclades-tui config » affiche "
    "chaque réglage, sa valeur et sa source."
)

# argparse's English messages (Python 3.11 to 3.13 wordings), in French. Applied in order.
_ARGPARSE_FRENCH: tuple[tuple[str, str], ...] = (
    (r"invalid choice: (.*?) \(choose from (.*)\)$",
     r"choix invalide : \1 (valeurs possibles : \2)"),
    (r"invalid int value: (.*)$", r"nombre entier invalide : \1"),
    (r"invalid (\w+) value: (.*)$", r"valeur invalide : \2"),
    (r"expected one argument", "une valeur est attendue"),
    (r"expected at most one argument", "au plus une valeur est attendue"),
    (r"expected at least one argument", "au moins une valeur est attendue"),
    (r"expected (\d+) arguments?", r"\1 valeur(s) attendue(s)"),
    (r"unrecognized arguments: ", "arguments non reconnus : "),
    (r"ambiguous option: (\S+) could match (.*)$", r"option ambiguë : \1 peut désigner \2"),
    (r"not allowed with argument ", "incompatible avec "),
    (r"ignored explicit argument (.*)$", r"valeur inattendue : \1"),
    (r"one of the arguments (.*) is required", r"l'une des options \1 est obligatoire"),
)


# The names argparse gives the positional arguments in its messages (their dest).
_ARGUMENT_NAMES = {"command": "sous-commande", "action": "sous-commande", "name": "nom",
                   "state": "état", "file": "fichier", "path": "chemin",
                   "login": "identifiant", "id": "numéro du document"}


def french_usage_error(message: str) -> str:
    """An argparse error message in French (names and values quoted as typed)."""
    message = re.sub(r"^argument ([^:]+): ",
                     lambda m: f"« {_ARGUMENT_NAMES.get(m[1], m[1])} » : ", message)
    message = re.sub(r"the following arguments are required: (.*)$", lambda m: (
        "arguments obligatoires manquants : "
        + ", ".join(_ARGUMENT_NAMES.get(n, n) for n in m[1].split(", "))), message)
    for pattern, replacement in _ARGPARSE_FRENCH:
        message = re.sub(pattern, replacement, message)
    return message


class _FrenchFormatter(argparse.HelpFormatter):
    """Help text with a French « Utilisation : » line."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any,
                  prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups,
                          "Utilisation : " if prefix is None else prefix)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        # Paths such as /etc/cyclades-tui/config.toml stay whole (never cut at a hyphen).
        text = " ".join(text.split())
        return textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent,
                             break_on_hyphens=False, break_long_words=False)


class FrenchParser(argparse.ArgumentParser):
    """argparse with help and usage errors in French and exit status 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _FrenchFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="afficher cette aide et quitter")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"Erreur d'utilisation : {french_usage_error(message)}\n")


def _add_db(parser: argparse.ArgumentParser, top: bool = False) -> None:
    # --db is accepted before and after the subcommand; the subcommand's copy must not
    # overwrite a value given before it, hence SUPPRESS there.
    parser.add_argument(
        "--db", metavar="URL", default=None if top else argparse.SUPPRESS,
        help="base de données : sqlite:///chemin.db ou postgresql://utilisateur@hôte:port/nom "
             "(sinon $CYCLADES_DB, sinon la clé db du fichier de configuration, sinon un "
             "fichier SQLite dans le dossier de données)",
    )


def _add_scope(parser: argparse.ArgumentParser) -> None:
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument("--school", metavar="UAI")
    scope.add_argument("--all", action="store_true", help="tous les établissements")


KEEP_HELP = ("le mot de passe est saisi par son titulaire lui-même : pas de changement "
             "imposé à la première connexion")


def build_parser() -> argparse.ArgumentParser:
    """The whole command-line grammar (docs/cli.md)."""
    parser = FrenchParser(prog="cyclades-tui",
                          description="Comptes candidats CYCLADES et papillons de connexion.",
                          epilog=SETTINGS_HELP)
    _add_db(parser, top=True)
    parser.add_argument("--demo", action="store_true",
                        help="ouvrir l'interface sur la base de démonstration")
    sub = parser.add_subparsers(dest="command", parser_class=FrenchParser)

    def command(name: str, help_text: str, parent: Any = sub) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, help=help_text,
                                                       description=help_text)
        _add_db(p)
        return p

    command("init", "créer ou mettre à jour le schéma de la base")
    p = command("demo", "créer l'établissement de démonstration et ses candidats")
    p.add_argument("--candidates", type=int, default=300, metavar="N")
    p.add_argument("--seed", type=int, default=2026, metavar="S")
    p.add_argument("--reset-password", action="store_true",
                   help="donner un nouveau mot de passe au compte du personnel de démo")

    school = command("school", "gérer les établissements")
    school_sub = school.add_subparsers(dest="action", required=True, parser_class=FrenchParser)
    p = command("add", "ajouter un établissement", school_sub)
    p.add_argument("uai")
    p.add_argument("name", nargs="+")
    p = command("service", "positionner ou retirer le service de gestion des candidats",
                school_sub)
    p.add_argument("uai")
    p.add_argument("state", choices=["on", "off"])
    command("list", "lister les établissements", school_sub)

    p = command("import", "importer des candidats : CSV « HORS BEE » ou export SIECLE (BEE)")
    p.add_argument("file", type=Path, help="fichier .csv, ou export SIECLE .xml / .zip")
    p.add_argument("--school", required=True, metavar="UAI")
    p.add_argument("--dry-run", action="store_true", help="tout vérifier sans rien écrire")
    p.add_argument("--exam", metavar="CODE", help="SIECLE : examen des élèves importés")
    p.add_argument("--state", metavar="ETAT",
                   help="SIECLE : état initial (inscrit, pre-inscrit, …)")
    p.add_argument("--division", action="extend", nargs="+", metavar="D",
                   help="SIECLE : n'importer que ces divisions (ou --all-divisions)")
    p.add_argument("--all-divisions", action="store_true",
                   help="SIECLE : importer toutes les divisions de l'export")
    p.add_argument("--other-exams", action="store_true",
                   help="SIECLE : ajouter aussi la candidature aux élèves déjà candidats à "
                        "un autre examen")
    p.add_argument("--yes", action="store_true",
                   help="SIECLE : confirmer que les élèves sans INE valide sont ignorés")

    acc = command("accounts", "comptes des candidats")
    acc_sub = acc.add_subparsers(dest="action", required=True, parser_class=FrenchParser)
    p = command("status", "candidats éligibles, avec et sans compte", acc_sub)
    p.add_argument("--school", required=True, metavar="UAI")
    p.add_argument("--json", action="store_true")
    p = command("generate", "créer les comptes manquants et leurs papillons", acc_sub)
    p.add_argument("--school", required=True, metavar="UAI")
    p.add_argument("--out", type=Path, metavar="DIR")
    p.add_argument("--json", action="store_true")
    p = command("regenerate", "nouveau mot de passe pour le compte d'un candidat", acc_sub)
    p.add_argument("--school", required=True, metavar="UAI")
    p.add_argument("--ine", required=True)
    # The states that can give an account, in the short form parse_state reads.
    p.add_argument("--state", choices=[fold(s.value) for s in ELIGIBLE_STATES])
    p.add_argument("--out", type=Path, metavar="DIR")
    p.add_argument("--json", action="store_true")
    p = command("verify", "vérifier un mot de passe (lu sur l'entrée standard)", acc_sub)
    p.add_argument("login")
    p = command("change-password",
                "changer un mot de passe (actuel puis nouveau sur l'entrée standard)", acc_sub)
    p.add_argument("login")
    p = command("ldap-sync", "écrire les comptes dans l'annuaire LDAP (réglages ldap_*)",
                acc_sub)
    _add_scope(p)
    p.add_argument("--dry-run", action="store_true", help="tout vérifier sans rien écrire")
    p = command("export", "écrire les comptes (hachés) pour un site : LDIF ou htpasswd",
                acc_sub)
    p.add_argument("--format", required=True, choices=list(account_exports.FORMATS))
    _add_scope(p)
    p.add_argument("--base-dn", metavar="DN", help="ldif : base des entrées (ou=UAI,DN)")
    p.add_argument("path", metavar="CHEMIN", help="fichier à créer (jamais remplacé)")

    docs = command("documents", "documents générés")
    docs_sub = docs.add_subparsers(dest="action", required=True, parser_class=FrenchParser)
    p = command("list", "lister les documents d'un établissement", docs_sub)
    p.add_argument("--school", required=True, metavar="UAI")
    p.add_argument("--json", action="store_true")
    p = command("export", "écrire un document dans un fichier (ou un dossier finissant par /)",
                docs_sub)
    p.add_argument("id", type=int)
    p.add_argument("path")
    p.add_argument("--ine", help="le papillon de cet élève seul (une page ; le document "
                                 "enregistré n'est pas modifié)")
    p = command("purge", "supprimer les documents anciens (ils contiennent des mots de passe)",
                docs_sub)
    p.add_argument("--older-than", type=int, required=True, metavar="JOURS")
    p.add_argument("--school", metavar="UAI", help="un seul établissement (sinon tous)")

    st = command("staff", "comptes du personnel")
    st_sub = st.add_subparsers(dest="action", required=True, parser_class=FrenchParser)
    p = command("add", "créer un compte du personnel", st_sub)
    p.add_argument("login")
    p.add_argument("--school", metavar="UAI")
    p.add_argument("--role", choices=[ROLE_SCHOOL, ROLE_MANAGER], default=ROLE_SCHOOL)
    p.add_argument("--keep-password", action="store_true", help=KEEP_HELP)
    command("list", "lister les comptes du personnel", st_sub)
    p = command("reset-password", "nouveau mot de passe pour un compte du personnel", st_sub)
    p.add_argument("login")
    p.add_argument("--keep-password", action="store_true", help=KEEP_HELP)
    p = command("disable", "désactiver un compte du personnel", st_sub)
    p.add_argument("login")
    p = command("enable", "réactiver un compte du personnel désactivé", st_sub)
    p.add_argument("login")
    p = command("unlock", "lever le verrouillage d'un compte (et ses échecs comptés)", st_sub)
    p.add_argument("login")

    p = command("audit", "journal des actions (sans --school : tous, y compris ceux sans "
                         "établissement)")
    p.add_argument("--school", metavar="UAI")
    p.add_argument("--since", metavar="AAAA-MM-JJ")
    p.add_argument("--json", action="store_true")

    command("config", "afficher chaque réglage effectif, sa valeur et sa source")
    p = command("backup", "copie cohérente de la base (SQLite : nouveau fichier en 0600 ; "
                "PostgreSQL : pg_dump -Fc)")
    p.add_argument("path", type=Path, metavar="CHEMIN", help="fichier à créer (jamais remplacé)")
    return parser


def _read_secret_lines(count: int, prompts: Sequence[str]) -> list[str]:
    """Read ``count`` secrets: hidden prompts on a terminal, else one line each on stdin."""
    if sys.stdin.isatty():
        return [getpass.getpass(prompt) for prompt in prompts[:count]]
    lines = sys.stdin.read().splitlines()
    if len(lines) < count:
        raise BadInput(f"{count} ligne(s) attendue(s) sur l'entrée standard, {len(lines)} lue(s).")
    return lines[:count]


def _progress_printer(stream: TextIO) -> Callable[[int, int], None] | None:
    """A progress bar on a terminal, nothing when piped."""
    if not stream.isatty():
        return None

    # The carriage return is the app's own: written past the terminal-safe gate.
    raw: TextIO = getattr(stream, "own", stream)

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        raw.write(f"\rMots de passe : [{'#' * filled}{'.' * (width - filled)}] "
                     f"{done}/{total}")
        if done == total:
            raw.write("\n")
        raw.flush()

    return show


def _print_json(value: object) -> None:
    # C1 and bidi controls as \u escapes: the same values, nothing a terminal obeys.
    print(safe_json(json.dumps(value, ensure_ascii=False, indent=2)))


def _check_out_dir(out: Path | None) -> Path | None:
    """Create and check the --out folder before anything is generated (exit 2 if unusable)."""
    if out is None:
        return None
    folder = out.expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BadInput(f"Dossier « {folder} » impossible à créer : {os_error_text(error)}."
                       ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BadInput(f"Dossier « {folder} » : écriture impossible.")
    return folder


def _run_result(actor: Actor, result: accounts.RunResult, out: Path | None, as_json: bool) -> int:
    files: list[str] = []
    failure = None
    for d in result.documents:
        if out is None:
            break
        try:
            files.append(str(documents.export(actor, d.id, out / d.file_name)))
        except ServiceError as error:
            # The accounts and documents are committed: say so, and how to get the files.
            failure = (f"{error.message} Les documents sont enregistrés en base : "
                       f"« cyclades-tui documents export ID CHEMIN ».")
    code = EXIT_BAD_INPUT if failure else EXIT_OK
    if failure:
        print(failure, file=sys.stderr)
    if as_json:
        _print_json({
            "run": result.run_id, "created": result.created,
            "documents": [{"id": d.id, "title": d.title, "layout": d.layout,
                           "slips": d.slips, "size": d.size} for d in result.documents],
            "files": files,
        })
        return code
    print(result.message)
    for d in result.documents:
        print(f"  document {d.id} : {d.title} ({d.layout} par page, {d.slips} papillon(s), "
              f"{d.size} octets)")
    for f in files:
        print(f"  écrit : {f}")
    return code


def _cmd_accounts(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    if args.action == "status":
        st = accounts.status(actor, args.school)
        if args.json:
            _print_json({"school": st.school.uai, "eligible": st.eligible,
                         "with_account": st.with_account,
                         "without_account": st.without_account})
        else:
            print(f"{st.school.name} ({st.school.uai})")
            print(f"  candidats éligibles : {st.eligible}")
            print(f"  avec compte : {st.with_account}")
            print(f"  sans compte : {st.without_account}")
            if st.eligible and not st.without_account:
                print(accounts.ALL_GENERATED)
        return EXIT_OK
    if args.action == "generate":
        out = _check_out_dir(args.out)
        result = accounts.generate(actor, args.school, progress=_progress_printer(sys.stderr),
                                   settings=settings)
        return _run_result(actor, result, out, args.json)
    if args.action == "regenerate":
        out = _check_out_dir(args.out)
        result = accounts.regenerate(actor, args.school, args.ine, args.state,
                                     settings=settings)
        return _run_result(actor, result, out, args.json)
    if args.action == "verify":
        (password,) = _read_secret_lines(1, ["Mot de passe : "])
        verdict = accounts.verify(args.login, password, settings=settings)
        if not verdict.ok:
            print("Identifiant ou mot de passe incorrect.", file=sys.stderr)
            return EXIT_REFUSED
        print("Mot de passe correct." + (
            " Mot de passe provisoire : il doit être changé à la première connexion."
            if verdict.must_change else ""))
        return EXIT_OK
    if args.action == "ldap-sync":
        # ldap3 takes about 0.3 s to import: loaded for this command only, not for the TUI.
        from cyclades_tui.services import directory

        report = directory.ldap_sync(actor, settings, args.school, args.all,
                                     dry_run=args.dry_run)
        print(report.message)
        return EXIT_OK
    if args.action == "export":
        exported = account_exports.export(actor, args.format, args.path, args.school, args.all,
                                         base_dn=args.base_dn, pwdreset=settings.ldap_pwdreset)
        print(f"{exported.accounts} compte(s) de {exported.schools} établissement(s) écrit(s) "
              f"({args.format}, lisible par vous seul) : {exported.path}")
        return EXIT_OK
    current, new = _read_secret_lines(2, ["Mot de passe actuel : ", "Nouveau mot de passe : "])
    accounts.change_password(args.login, current, new, settings=settings)
    print("Mot de passe changé.")
    return EXIT_OK


def _cmd_documents(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    if args.action == "list":
        docs = documents.list_documents(actor, args.school)
        if args.json:
            _print_json([d.as_json() for d in docs])
            return EXIT_OK
        if not docs:
            print("Aucun document généré.")
        for d in docs:
            when = local_time(d.created_at)
            print(f"{d.id:>6}  {when:%d/%m/%Y %H:%M}  {d.title:<24} {d.layout}/page "
                  f"{d.slips:>5} papillon(s) {d.size:>9} octets  {d.type}  {d.created_by}")
        return EXIT_OK
    if args.action == "purge":
        count = documents.purge(actor, args.older_than, args.school)
        print(f"{count} document(s) de plus de {args.older_than} jour(s) supprimé(s).")
        return EXIT_OK
    if args.ine:
        path = single_slip.export(actor, args.id, args.ine.strip().upper(), args.path,
                                  settings.site_url)
        print(f"Papillon de {args.ine} (document {args.id}) écrit : {path}")
        return EXIT_OK
    path = documents.export(actor, args.id, args.path)
    print(f"Document {args.id} écrit : {path}")
    return EXIT_OK


def _cmd_school(args: argparse.Namespace, actor: Actor) -> int:
    if args.action == "add":
        info = schools.add_school(actor, args.uai, " ".join(args.name))
        print(f"Établissement {info.uai} ajouté : {info.name}")
    elif args.action == "service":
        info = schools.set_service(actor, args.uai, args.state == "on")
        print(f"Service de gestion des candidats en établissement "
              f"{'positionné' if info.service_enabled else 'retiré'} pour {info.uai}.")
    else:
        for s in schools.list_schools(actor):
            print(f"{s.uai}  {'service positionné' if s.service_enabled else 'sans service':<19}"
                  f"  {s.name}")
    return EXIT_OK


def _new_staff_password(login: str) -> str:
    first, second = _read_secret_lines(2, ["Mot de passe : ", "Mot de passe (encore) : "])
    if first != second:
        raise BadInput("Les deux mots de passe diffèrent.")
    return staff.check_staff_password(first, login)


FORCED_CHANGE = " ; il devra être changé à la première connexion (--keep-password sinon)."


def _cmd_staff(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    if args.action == "add":
        # Everything but the password is checked first: nobody types a password twice to
        # learn that the login is taken or the school unknown.
        staff.check_new_staff(actor, args.login, args.school, args.role)
        info = staff.add_staff(actor, args.login, _new_staff_password(args.login), args.school,
                               args.role, settings=settings, must_change=not args.keep_password)
        print(f"Compte « {info.login} » créé ({info.role}"
              f"{', ' + info.school if info.school else ''})"
              f"{'.' if args.keep_password else FORCED_CHANGE}")
    elif args.action == "reset-password":
        staff.check_existing_staff(actor, args.login)
        staff.set_password(actor, args.login, _new_staff_password(args.login), settings=settings,
                           must_change=not args.keep_password)
        print(f"Mot de passe de « {args.login} » changé ; le compte est déverrouillé"
              f"{'.' if args.keep_password else FORCED_CHANGE}")
    elif args.action == "disable":
        staff.disable(actor, args.login)
        print(f"Compte « {args.login} » désactivé.")
    elif args.action == "enable":
        staff.enable(actor, args.login)
        print(f"Compte « {args.login} » réactivé.")
    elif args.action == "unlock":
        staff.unlock(actor, args.login)
        print(f"Compte « {args.login} » déverrouillé (échecs remis à zéro).")
    else:
        for s in staff.list_staff(actor):
            print(f"{s.login:<24} {s.role:<14} {s.school or '-':<9} "
                  + " ; ".join(_staff_states(s)))
    return EXIT_OK


def _staff_states(info: staff.StaffInfo) -> list[str]:
    """What the operator must know of an account before acting on it: disabled or active,
    each lock-out in force (local time), a password to change."""
    states = ["désactivé" if info.disabled else "actif"]
    states += [f"verrouillé jusqu'à {local_time(lock.until):%H:%M}"
               + (f" depuis {lock.address}" if lock.address else "") for lock in info.locks]
    if info.must_change:
        states.append("mot de passe à changer")
    return states


def _cmd_audit(args: argparse.Namespace, actor: Actor) -> int:
    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError:
            raise BadInput(f"Date « {args.since} » invalide : AAAA-MM-JJ attendu.") from None
    events = (audit.for_school(actor, args.school, since) if args.school
              else audit.every_event(actor, since))
    if args.json:
        _print_json([{"at": e.at.isoformat(timespec="seconds") + "Z", "actor": e.actor,
                      "school": e.school, "action": e.action, "detail": e.detail,
                      "success": e.success} for e in events])
    else:
        for e in events:
            print(f"{local_time(e.at):%Y-%m-%d %H:%M:%S}  {e.school or '-':<8}  "
                  f"{safe_text(e.actor):<16} {safe_text(e.action):<22} "
                  f"{'' if e.success else 'ÉCHEC '}{safe_text(e.detail)}")
    return EXIT_OK


def _cmd_import(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    prefix = "Vérification seule : " if args.dry_run else ""
    if args.file.suffix.lower() not in (".xml", ".zip"):
        if (args.exam or args.state or args.division or args.yes or args.all_divisions
                or args.other_exams):
            raise BadInput("--exam, --state, --division, --all-divisions, --other-exams et "
                           "--yes ne valent que pour un export SIECLE (.xml ou .zip).")
        report = import_csv(actor, args.school, args.file, dry_run=args.dry_run,
                            max_candidates=settings.max_candidates_per_school)
        print(f"{prefix}{report.total} ligne(s) : {report.added} ajoutée(s), "
              f"{report.updated} mise(s) à jour, {report.unchanged} inchangée(s).")
        return EXIT_OK
    if not args.exam or not args.state:
        raise BadInput("Import SIECLE : --exam CODE et --state ETAT sont obligatoires "
                       "(l'export ne dit rien des examens).")
    if args.division and args.all_divisions:
        raise BadInput("Import SIECLE : --division et --all-divisions s'excluent.")
    if not args.division and not args.all_divisions:
        # Importing every class by default gave lycée pupils a DNB candidature: the
        # classes are chosen, never implied.
        found = ", ".join(d or "(sans division)" for d in export_divisions(args.file))
        raise BadInput("Import SIECLE : choisissez les classes avec --division D [D …] ou "
                       f"--all-divisions ; divisions de l'export : {found}.")
    try:
        siecle = import_siecle(actor, args.school, args.file, args.exam, args.state,
                               args.division, skip_invalid_ine=args.yes, dry_run=args.dry_run,
                               other_exams=args.other_exams,
                               max_candidates=settings.max_candidates_per_school)
    except OtherExamCandidates as error:
        raise OtherExamCandidates(
            f"{len(error.pupils)} élève(s) déjà candidat(s) à un autre examen recevrai(en)t "
            f"une candidature {args.exam.upper()} : relancez avec --other-exams pour l'ajouter, "
            "rien n'a été importé.", error.pupils) from None
    except PupilsWithoutIne as error:
        # The service says what to confirm; how to confirm it on the command line is ours.
        raise PupilsWithoutIne(
            f"{len(error.pupils)} élève(s) sans INE valide ne peuvent pas être candidats : "
            "relancez avec --yes pour les ignorer, rien n'a été importé.", error.pupils,
        ) from None
    print(f"{prefix}{siecle.total} élève(s) : {siecle.summary()}.")
    if siecle.other_exams:
        print(f"{len(siecle.other_exams)} élève(s) déjà candidat(s) à un autre examen"
              + (" (--other-exams requis pour les importer) :"
                 if args.dry_run and not args.other_exams else " :"))
        for line in siecle.other_exams:
            print(f"  - {safe_text(line)}")
    if siecle.skipped:
        print(f"{len(siecle.skipped)} élève(s) ignoré(s) faute d'INE valide :")
        for line in siecle.skipped:
            print(f"  - {safe_text(line)}")
    if siecle.left:
        print(f"{len(siecle.left)} élève(s) sorti(s) de l'établissement avant l'export, "
              "laissé(s) de côté :")
        for line in siecle.left:
            print(f"  - {safe_text(line)}")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace, settings: Settings) -> int:

    if args.candidates < 0:
        raise BadInput("--candidates : un nombre positif est attendu.")
    info = seed_demo(args.candidates, args.seed, settings=settings)
    password = info.staff_password or (
        reset_demo_password(settings=settings) if args.reset_password else None)
    print(f"Établissement de démonstration : {info.school_name} ({info.uai}), "
          f"service positionné.")
    print(f"Candidats : {info.candidates} dans le jeu, dont {info.added} ajouté(s).")
    print(f"Compte du personnel : {info.staff_login}")
    print(f"Mot de passe : {password}" if password else
          "Mot de passe : inchangé (--reset-password pour en obtenir un nouveau)")
    return EXIT_OK


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    """Run one parsed subcommand against the database of the settings (``--db`` included)."""
    if args.command == "backup":
        return _cmd_backup(args, settings)
    db = connect(settings.db, upgrade=args.command != "init", busy_ms=settings.sqlite_busy_ms)
    try:
        if args.command == "init":
            applied = init_schema(db)
            print(f"Schéma mis à jour (migrations {', '.join(map(str, applied))})." if applied
                  else "Schéma déjà à jour.")
            return EXIT_OK
        if args.command == "demo":
            return _cmd_demo(args, settings)
        actor = operator()
        if args.command == "import":
            return _cmd_import(args, actor, settings)
        if args.command == "accounts":
            return _cmd_accounts(args, actor, settings)
        if args.command == "staff":
            return _cmd_staff(args, actor, settings)
        if args.command == "documents":
            return _cmd_documents(args, actor, settings)
        handlers: dict[str, Callable[[argparse.Namespace, Actor], int]] = {
            "school": _cmd_school, "audit": _cmd_audit,
        }
        return handlers[args.command](args, actor)
    finally:
        db.close()


def _cmd_config(loaded: LoadedSettings) -> int:
    """Every effective setting, its value and its source; a database password is masked."""
    if loaded.config_file is not None:
        print(f"Fichier de configuration : {loaded.config_file}")
    else:
        print("Fichier de configuration : aucun ($CYCLADES_CONFIG non défini, "
              "/etc/cyclades-tui/config.toml absent)")
    for name, source in loaded.sources.items():
        print(f"{name:<20} {loaded.display_value(name):<46} {source}")
    return EXIT_OK


def _cmd_backup(args: argparse.Namespace, settings: Settings) -> int:

    result = backup(settings.db, args.path, settings.sqlite_busy_ms)
    how = "pg_dump -Fc" if result.method == "pg_dump" else "copie SQLite cohérente"
    print(f"Sauvegarde écrite : {result.path} ({result.size} octets, {how}, lisible par "
          "vous seul).")
    return EXIT_OK


def terminal_attached() -> bool:
    """True when stdin and stdout are both a terminal: the TUI needs one to read and draw."""
    return (sys.stdin is not None and sys.stdout is not None
            and sys.stdin.isatty() and sys.stdout.isatty())


def run_tui(db_url: str | None, demo: bool, settings: Settings) -> int:
    """Start the Textual interface (imported here so the CLI never loads Textual needlessly)."""
    # A dropped SSH connection hangs the terminal up: the session must end there and then,
    # even if our parent ignored SIGHUP (nohup, some wrappers). The kernel's default action
    # ends the process at once, threads included; every write is one transaction, so the
    # database stays as if the interrupted work had finished or not started.
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    # Textual is loaded only for the TUI: every other command starts faster without it.
    from cyclades_tui.ui.app import run

    return run(db_url, demo, settings)


def harden_process() -> None:
    """What every session needs on a shared server: private files, no core dumps.

    Files the app creates (exports, backups, SQLite's -wal/-shm) are readable by their
    owner only, whatever the umask of sshd's session (a PDF saved from the TUI is given
    0640 explicitly: the school's SFTP account reads it through the folder's group); a
    crash never writes the memory (plain passwords while slips are rendered) to a core file.
    """
    os.umask(0o077)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def entry() -> int:
    """The console script (and ``python -m cyclades_tui``): harden the process, then run.

    Only here is the memory cap set (``memory_limit_mb``, once the settings are read):
    ``main`` also runs inside other processes (tests) whose memory is not the app's to cap.
    """
    harden_process()
    return main(cap_memory=True)


class TerminalSafeWriter:
    """A text stream that spells out every control character written to it (``\\x1b``).

    The CLI's one gate: whatever a command prints (file values in error messages, names,
    paths, the database's contents) reaches the terminal without an escape sequence, a C1
    control or a bidi override. Line feeds pass; the app's own other controls (the progress
    bar's carriage return) go through ``own``, the stream underneath.
    """

    def __init__(self, own: TextIO) -> None:
        self.own = own

    def write(self, text: str) -> int:
        """Write ``text`` made safe; returns the length of ``text`` as streams do."""
        self.own.write(safe_text(text, keep_newlines=True))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        # flush, isatty, fileno, encoding… are the underlying stream's.
        return getattr(self.own, name)


def main(argv: Sequence[str] | None = None, cap_memory: bool = False) -> int:
    """Parse, check the settings once, then run the TUI or one subcommand; the exit status.

    Everything a command prints goes through the terminal gate (``TerminalSafeWriter``).
    """
    out, err = sys.stdout, sys.stderr
    sys.stdout = cast(TextIO, TerminalSafeWriter(out))
    sys.stderr = cast(TextIO, TerminalSafeWriter(err))
    try:
        return _run(build_parser().parse_args(argv), out, err, cap_memory)
    finally:
        sys.stdout, sys.stderr = out, err


def _run(args: argparse.Namespace, out: TextIO, err: TextIO, cap_memory: bool = False) -> int:
    """Run the TUI or a subcommand; an expected failure becomes a French message and a code."""
    if args.command is None and not terminal_attached():
        # Without a terminal Textual would spin on end-of-file for ever (ssh host, scp, sftp).
        print(NO_TERMINAL, file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        loaded = load_settings_with_sources(db_override=args.db)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    if cap_memory:
        # Part of the process hardening (harden_process), once the setting is known.
        limit_memory(loaded.settings.memory_limit_mb)
    if args.command == "config":
        return _cmd_config(loaded)
    try:
        if args.command is None:
            # Textual draws the screen itself, through its own gate (ui.text).
            gated = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = out, err
            try:
                return run_tui(args.db, args.demo, loaded.settings)
            finally:
                sys.stdout, sys.stderr = gated
        return dispatch(args, loaded.settings)
    except ServiceError as error:
        print(safe_text(error.message), file=sys.stderr)
        for line in error.details:
            print(f"  {safe_text(line)}", file=sys.stderr)
        for fault in getattr(error, "faults", []):
            if fault != error.message:
                # One fault a line: a line feed inside a value is spelled out too.
                print(f"  - {safe_text(fault)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("\nInterrompu.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except MemoryError:
        # What the cap is for: the process stops cleanly; its transactions were rolled back.
        print(OUT_OF_MEMORY, file=sys.stderr)
        return EXIT_OUT_OF_MEMORY
    except Exception as error:
        if os.environ.get("CYCLADES_DEBUG"):
            traceback.print_exc()
        print(f"Erreur interne inattendue ({type(error).__name__}) : l'opération n'a pas abouti. "
              "CYCLADES_DEBUG=1 affiche le détail technique.", file=sys.stderr)
        return EXIT_REFUSED

