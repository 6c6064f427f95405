"""The subcommands: each runs one service and prints its result (French)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from cyclades_tui.domain.names import local_time
from cyclades_tui.domain.safe_text import safe_text
from cyclades_tui.services import (
    account_exports,
    accounts,
    audit,
    documents,
    schools,
    single_slip,
    staff,
)
from cyclades_tui.services.actor import Actor, operator
from cyclades_tui.services.backup import backup
from cyclades_tui.services.csv_import import import_csv
from cyclades_tui.services.db_session import connect, init_schema
from cyclades_tui.services.demo import reset_demo_password, seed_demo
from cyclades_tui.services.errors import (
    BadInput,
    OtherExamCandidates,
    PupilsWithoutIne,
    ServiceError,
)
from cyclades_tui.services.siecle_import import export_divisions, import_siecle
from cyclades_tui.settings import (
    LoadedSettings,
    Settings,
)

from .output import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_REFUSED,
    check_out_dir,
    print_json,
    progress_printer,
    read_secret_lines,
)


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
            failure = (
                f"{error.message} Les documents sont enregistrés en base : "
                f"« cyclades-tui documents export ID CHEMIN »."
            )
    code = EXIT_BAD_INPUT if failure else EXIT_OK
    if failure:
        print(failure, file=sys.stderr)
    if as_json:
        print_json(
            {
                "run": result.run_id,
                "created": result.created,
                "documents": [
                    {
                        "id": d.id,
                        "title": d.title,
                        "layout": d.layout,
                        "slips": d.slips,
                        "size": d.size,
                    }
                    for d in result.documents
                ],
                "files": files,
            }
        )
        return code
    print(result.message)
    for d in result.documents:
        print(
            f"  document {d.id} : {d.title} ({d.layout} par page, {d.slips} papillon(s), "
            f"{d.size} octets)"
        )
    for f in files:
        print(f"  écrit : {f}")
    return code


def _cmd_accounts(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    if args.action == "status":
        st = accounts.status(actor, args.school)
        if args.json:
            print_json(
                {
                    "school": st.school.uai,
                    "eligible": st.eligible,
                    "with_account": st.with_account,
                    "without_account": st.without_account,
                }
            )
        else:
            print(f"{st.school.name} ({st.school.uai})")
            print(f"  candidats éligibles : {st.eligible}")
            print(f"  avec compte : {st.with_account}")
            print(f"  sans compte : {st.without_account}")
            if st.eligible and not st.without_account:
                print(accounts.ALL_GENERATED)
        return EXIT_OK
    if args.action == "generate":
        out = check_out_dir(args.out)
        result = accounts.generate(
            actor, args.school, progress=progress_printer(sys.stderr), settings=settings
        )
        return _run_result(actor, result, out, args.json)
    if args.action == "regenerate":
        out = check_out_dir(args.out)
        result = accounts.regenerate(actor, args.school, args.ine, args.state, settings=settings)
        return _run_result(actor, result, out, args.json)
    if args.action == "verify":
        (password,) = read_secret_lines(1, ["Mot de passe : "])
        verdict = accounts.verify(args.login, password, settings=settings)
        if not verdict.ok:
            print("Identifiant ou mot de passe incorrect.", file=sys.stderr)
            return EXIT_REFUSED
        print(
            "Mot de passe correct."
            + (
                " Mot de passe provisoire : il doit être changé à la première connexion."
                if verdict.must_change
                else ""
            )
        )
        return EXIT_OK
    if args.action == "ldap-sync":
        # ldap3 takes about 0.3 s to import: loaded for this command only, not for the TUI.
        from cyclades_tui.services import directory

        report = directory.ldap_sync(actor, settings, args.school, args.all, dry_run=args.dry_run)
        print(report.message)
        return EXIT_OK
    if args.action == "export":
        exported = account_exports.export(
            actor,
            args.format,
            args.path,
            args.school,
            args.all,
            base_dn=args.base_dn,
            pwdreset=settings.ldap_pwdreset,
        )
        print(
            f"{exported.accounts} compte(s) de {exported.schools} établissement(s) écrit(s) "
            f"({args.format}, lisible par vous seul) : {exported.path}"
        )
        return EXIT_OK
    current, new = read_secret_lines(2, ["Mot de passe actuel : ", "Nouveau mot de passe : "])
    accounts.change_password(args.login, current, new, settings=settings)
    print("Mot de passe changé.")
    return EXIT_OK


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


def _cmd_import(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    prefix = "Vérification seule : " if args.dry_run else ""
    if args.file.suffix.lower() not in (".xml", ".zip"):
        if (
            args.exam
            or args.state
            or args.division
            or args.yes
            or args.all_divisions
            or args.other_exams
        ):
            raise BadInput(
                "--exam, --state, --division, --all-divisions, --other-exams et "
                "--yes ne valent que pour un export SIECLE (.xml ou .zip)."
            )
        report = import_csv(
            actor,
            args.school,
            args.file,
            dry_run=args.dry_run,
            max_candidates=settings.max_candidates_per_school,
        )
        print(
            f"{prefix}{report.total} ligne(s) : {report.added} ajoutée(s), "
            f"{report.updated} mise(s) à jour, {report.unchanged} inchangée(s)."
        )
        return EXIT_OK
    if not args.exam or not args.state:
        raise BadInput(
            "Import SIECLE : --exam CODE et --state ETAT sont obligatoires "
            "(l'export ne dit rien des examens)."
        )
    if args.division and args.all_divisions:
        raise BadInput("Import SIECLE : --division et --all-divisions s'excluent.")
    if not args.division and not args.all_divisions:
        # Importing every class by default gave lycée pupils a DNB candidature: the
        # classes are chosen, never implied.
        found = ", ".join(d or "(sans division)" for d in export_divisions(args.file))
        raise BadInput(
            "Import SIECLE : choisissez les classes avec --division D [D …] ou "
            f"--all-divisions ; divisions de l'export : {found}."
        )
    try:
        siecle = import_siecle(
            actor,
            args.school,
            args.file,
            args.exam,
            args.state,
            args.division,
            skip_invalid_ine=args.yes,
            dry_run=args.dry_run,
            other_exams=args.other_exams,
            max_candidates=settings.max_candidates_per_school,
        )
    except OtherExamCandidates as error:
        raise OtherExamCandidates(
            f"{len(error.pupils)} élève(s) déjà candidat(s) à un autre examen recevrai(en)t "
            f"une candidature {args.exam.upper()} : relancez avec --other-exams pour l'ajouter, "
            "rien n'a été importé.",
            error.pupils,
        ) from None
    except PupilsWithoutIne as error:
        # The service says what to confirm; how to confirm it on the command line is ours.
        raise PupilsWithoutIne(
            f"{len(error.pupils)} élève(s) sans INE valide ne peuvent pas être candidats : "
            "relancez avec --yes pour les ignorer, rien n'a été importé.",
            error.pupils,
        ) from None
    print(f"{prefix}{siecle.total} élève(s) : {siecle.summary()}.")
    if siecle.other_exams:
        print(
            f"{len(siecle.other_exams)} élève(s) déjà candidat(s) à un autre examen"
            + (
                " (--other-exams requis pour les importer) :"
                if args.dry_run and not args.other_exams
                else " :"
            )
        )
        for line in siecle.other_exams:
            print(f"  - {safe_text(line)}")
    if siecle.skipped:
        print(f"{len(siecle.skipped)} élève(s) ignoré(s) faute d'INE valide :")
        for line in siecle.skipped:
            print(f"  - {safe_text(line)}")
    if siecle.left:
        print(
            f"{len(siecle.left)} élève(s) sorti(s) de l'établissement avant l'export, "
            "laissé(s) de côté :"
        )
        for line in siecle.left:
            print(f"  - {safe_text(line)}")
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
    "import": _cmd_import,
    "accounts": _cmd_accounts,
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
