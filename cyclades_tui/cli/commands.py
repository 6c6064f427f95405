"""The subcommands: each runs one service and prints its result (French).

Here: the dispatch, and the commands of schools, staff, documents, audit, demo, backup and
config; ``accounts …`` is in ``account_commands``, ``import`` in ``import_commands``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime

from cyclades_tui.domain.names import local_time
from cyclades_tui.domain.safe_text import safe_text
from cyclades_tui.services import (
    audit,
    documents,
    schools,
    single_slip,
    staff,
)
from cyclades_tui.services.actor import Actor, operator
from cyclades_tui.services.backup import backup
from cyclades_tui.services.db_session import connect, init_schema
from cyclades_tui.services.demo import reset_demo_password, seed_demo
from cyclades_tui.services.errors import (
    BadInput,
)
from cyclades_tui.settings import (
    LoadedSettings,
    Settings,
)

from .account_commands import cmd_accounts
from .import_commands import cmd_import
from .output import EXIT_OK, print_json, read_secret_lines


def _cmd_documents(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    if args.action == "list":
        docs = documents.list_documents(actor, args.school)
        if args.json:
            print_json([d.as_json() for d in docs])
            return EXIT_OK
        if not docs:
            print("Aucun document généré.")
        for d in docs:
            when = local_time(d.created_at)
            print(
                f"{d.id:>6}  {when:%d/%m/%Y %H:%M}  {d.title:<24} {d.layout}/page "
                f"{d.slips:>5} papillon(s) {d.size:>9} octets  {d.type}  {d.created_by}"
            )
        return EXIT_OK
    if args.action == "purge":
        count = documents.purge(actor, args.older_than, args.school)
        print(f"{count} document(s) de plus de {args.older_than} jour(s) supprimé(s).")
        return EXIT_OK
    if args.ine:
        path = single_slip.export(
            actor, args.id, args.ine.strip().upper(), args.path, settings.site_url
        )
        print(f"Papillon de {args.ine} (document {args.id}) écrit : {path}")
        return EXIT_OK
    path = documents.export(actor, args.id, args.path)
    print(f"Document {args.id} écrit : {path}")
    return EXIT_OK


def _cmd_school(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    if args.action == "add":
        info = schools.add_school(actor, args.uai, " ".join(args.name))
        print(f"Établissement {info.uai} ajouté : {info.name}")
    elif args.action == "service":
        info = schools.set_service(actor, args.uai, args.state == "on")
        print(
            f"Service de gestion des candidats en établissement "
            f"{'positionné' if info.service_enabled else 'retiré'} pour {info.uai}."
        )
    else:
        for s in schools.list_schools(actor):
            print(
                f"{s.uai}  {'service positionné' if s.service_enabled else 'sans service':<19}"
                f"  {s.name}"
            )
    return EXIT_OK


def _new_staff_password(login: str) -> str:
    first, second = read_secret_lines(2, ["Mot de passe : ", "Mot de passe (encore) : "])
    if first != second:
        raise BadInput("Les deux mots de passe diffèrent.")
    return staff.check_staff_password(first, login)


FORCED_CHANGE = " ; il devra être changé à la première connexion (--keep-password sinon)."


def _cmd_staff(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    if args.action == "add":
        # Everything but the password is checked first: nobody types a password twice to
        # learn that the login is taken or the school unknown.
        staff.check_new_staff(actor, args.login, args.school, args.role)
        info = staff.add_staff(
            actor,
            args.login,
            _new_staff_password(args.login),
            args.school,
            args.role,
            settings=settings,
            must_change=not args.keep_password,
        )
        print(
            f"Compte « {info.login} » créé ({info.role}"
            f"{', ' + info.school if info.school else ''})"
            f"{'.' if args.keep_password else FORCED_CHANGE}"
        )
    elif args.action == "reset-password":
        staff.check_existing_staff(actor, args.login)
        staff.set_password(
            actor,
            args.login,
            _new_staff_password(args.login),
            settings=settings,
            must_change=not args.keep_password,
        )
        print(
            f"Mot de passe de « {args.login} » changé ; le compte est déverrouillé"
            f"{'.' if args.keep_password else FORCED_CHANGE}"
        )
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
            print(
                f"{s.login:<24} {s.role:<14} {s.school or '-':<9} " + " ; ".join(_staff_states(s))
            )
    return EXIT_OK


def _staff_states(info: staff.StaffInfo) -> list[str]:
    """What the operator must know of an account before acting on it: disabled or active,
    each lock-out in force (local time), a password to change."""
    states = ["désactivé" if info.disabled else "actif"]
    states += [
        f"verrouillé jusqu'à {local_time(lock.until):%H:%M}"
        + (f" depuis {lock.address}" if lock.address else "")
        for lock in info.locks
    ]
    if info.must_change:
        states.append("mot de passe à changer")
    return states


def _cmd_audit(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError:
            raise BadInput(f"Date « {args.since} » invalide : AAAA-MM-JJ attendu.") from None
    events = (
        audit.for_school(actor, args.school, since)
        if args.school
        else audit.every_event(actor, since)
    )
    if args.json:
        print_json(
            [
                {
                    "at": e.at.isoformat(timespec="seconds") + "Z",
                    "actor": e.actor,
                    "school": e.school,
                    "action": e.action,
                    "detail": e.detail,
                    "success": e.success,
                }
                for e in events
            ]
        )
    else:
        for e in events:
            print(
                f"{local_time(e.at):%Y-%m-%d %H:%M:%S}  {e.school or '-':<8}  "
                f"{safe_text(e.actor):<16} {safe_text(e.action):<22} "
                f"{'' if e.success else 'ÉCHEC '}{safe_text(e.detail)}"
            )
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:

    if args.candidates < 0:
        raise BadInput("--candidates : un nombre positif est attendu.")
    info = seed_demo(args.candidates, args.seed, settings=settings)
    password = info.staff_password or (
        reset_demo_password(settings=settings) if args.reset_password else None
    )
    print(f"Établissement de démonstration : {info.school_name} ({info.uai}), service positionné.")
    print(f"Candidats : {info.candidates} dans le jeu, dont {info.added} ajouté(s).")
    print(f"Compte du personnel : {info.staff_login}")
    print(
        f"Mot de passe : {password}"
        if password
        else "Mot de passe : inchangé (--reset-password pour en obtenir un nouveau)"
    )
    return EXIT_OK


_Handler = Callable[[argparse.Namespace, Actor, Settings], int]
# One signature for every subcommand run against the database (the actor: who typed it).
_HANDLERS: dict[str, _Handler] = {
    "demo": _cmd_demo,
    "import": cmd_import,
    "accounts": cmd_accounts,
    "staff": _cmd_staff,
    "documents": _cmd_documents,
    "school": _cmd_school,
    "audit": _cmd_audit,
}


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    """Run one parsed subcommand against the database of the settings (``--db`` included)."""
    if args.command == "backup":
        return _cmd_backup(args, settings)
    db = connect(settings.db, upgrade=args.command != "init", busy_ms=settings.sqlite_busy_ms)
    try:
        if args.command == "init":
            applied = init_schema(db)
            print(
                f"Schéma mis à jour (migrations {', '.join(map(str, applied))})."
                if applied
                else "Schéma déjà à jour."
            )
            return EXIT_OK
        return _HANDLERS[args.command](args, operator(), settings)
    finally:
        db.close()


def show_config(loaded: LoadedSettings) -> int:
    """Every effective setting, its value and its source; a database password is masked."""
    if loaded.config_file is not None:
        print(f"Fichier de configuration : {loaded.config_file}")
    else:
        print(
            "Fichier de configuration : aucun ($CYCLADES_CONFIG non défini, "
            "/etc/cyclades-tui/config.toml absent)"
        )
    for name, source in loaded.sources.items():
        print(f"{name:<20} {loaded.display_value(name):<46} {source}")
    return EXIT_OK


def _cmd_backup(args: argparse.Namespace, settings: Settings) -> int:

    result = backup(settings.db, args.path, settings.sqlite_busy_ms)
    how = "pg_dump -Fc" if result.method == "pg_dump" else "copie SQLite cohérente"
    print(
        f"Sauvegarde écrite : {result.path} ({result.size} octets, {how}, lisible par vous seul)."
    )
    return EXIT_OK
