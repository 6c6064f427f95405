"""The demo school: fictional candidates of varied names, exams and states, and a staff member."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, replace
from datetime import date, timedelta

from cyclades_tui.domain.exams import State
from cyclades_tui.domain.identifiers import check_letter
from cyclades_tui.services import audit
from cyclades_tui.services.actor import ROLE_SCHOOL, Actor, operator
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.errors import BadInput
from cyclades_tui.services.import_core import store_records
from cyclades_tui.services.import_records import CandidateRecord, line_of
from cyclades_tui.services.staff import set_password
from cyclades_tui.settings import Settings
from cyclades_tui.store import database
from cyclades_tui.store.models import Candidate, School, Staff

DEMO_UAI = "0999999F"
DEMO_SCHOOL = "Cité scolaire de démonstration Marie-Curie"
DEMO_STAFF = "demo"


def demo_url() -> str:
    """The demo database's URL, for the start-up of `cyclades-tui --demo` (cli/tui.py)."""
    return database.demo_url()


FIRST_NAMES = [
    "Lucas",
    "Emma",
    "Hugo",
    "Léa",
    "Chloé",
    "Noé",
    "Inès",
    "Louis",
    "Jade",
    "Gabriel",
    "Manon",
    "Raphaël",
    "Anaïs",
    "Jean-Baptiste",
    "María José",
    "Zoé",
    "Maël",
    "Camille",
    "Sarah",
    "Adam",
    "Lina",
    "Arthur",
    "Rose",
    "Théo",
    "Clément",
    "Élise",
    "Tom",
    "Ambre",
    "Nathan",
    "Yann",
    "Mathis",
    "Thị Minh",
    "Wiktoria",
    "Łukasz",
    "Ngọc Ánh",
    "Ștefan",
    "Søren",
    "Anne-Sophie",
    "Marie-Ève",
    "Zoë",
    "François-Xavier",
    "Ömer",
    "Björn",
    "Chiara",
    "Aïssata",
    "Mamadou",
    "Fatoumata",
    "Nour",
    "Yasmine",
    "Kévin",
    "Océane",
    "Gaëlle",
]
FAMILY_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Le Gall",
    "D'Almeida",
    "Nguyễn",
    "Kowalczyk",
    "O'Connor",
    "Żółć",
    "Țăranu",
    "Müller",
    "Øster",
    "Lætitia-Cœur",
    "De La Fontaine",
    "N'Diaye",
    "Ben Saïd",
    "Strauß",
    "Ñúñez",
    "Van der Berg",
    "Da Silva",
    "Le Bihan",
    "Brisebois",
    "Cœurdacier",
    "Élysée",
]
# Class -> exam: the demo school is a « cité scolaire » with a collège, a lycée and a LP.
DIVISIONS = [
    ("3A", "DNB"),
    ("3B", "DNB"),
    ("3C", "DNB"),
    ("TG1", "BGT"),
    ("TG2", "BGT"),
    ("TSTMG", "BGT"),
    ("TBPRO1", "BCP"),
    ("TBPRO2", "BCP"),
    ("2CAP", "CAP"),
    ("BP2", "BP"),
    ("MC1", "MCP"),
    ("BTS2", "BTS"),
]
STATE_WEIGHTS = [
    (State.INSCRIT, 80),
    (State.PRE_INSCRIT, 10),
    (State.EN_COURS, 6),
    (State.ANNULE, 4),
]


@dataclass(frozen=True)
class DemoInfo:
    """What `cyclades-tui demo` prints."""

    uai: str
    school_name: str
    staff_login: str
    staff_password: str | None
    candidates: int
    added: int


def _bea_ine(rng: random.Random) -> str:
    digits = f"{rng.randrange(10**10):010d}"
    return digits + check_letter(digits)


def demo_records(count: int, seed: int) -> list[CandidateRecord]:
    """``count`` fictional candidates; the same seed always gives the same pupils."""
    rng = random.Random(seed)
    states = [s for s, _ in STATE_WEIGHTS]
    weights = [w for _, w in STATE_WEIGHTS]
    records: list[CandidateRecord] = []
    ines: set[str] = set()

    def add(first: str, family: str, usage: str = "") -> None:
        division, exam = rng.choice(DIVISIONS)
        ine = _bea_ine(rng)
        while ine in ines:
            ine = _bea_ine(rng)
        ines.add(ine)
        born = date(2006, 1, 1) + timedelta(days=rng.randrange(5 * 365))
        records.append(
            CandidateRecord(
                line=len(records) + 2,
                ine=ine,
                family_name=family,
                usage_name=usage,
                first_name=first,
                other_first_names="",
                birth_date=born,
                division=division,
                exam=exam,
                state=rng.choices(states, weights)[0],
            )
        )

    # Pupils every demo must show: homonyms, a pupil with no first name, a usage name.
    for _ in range(3):
        add("Antoine", "Aubin")
    add("", "Nakamura")
    add("Inès", "Martin", usage="Durand-Martin")
    while len(records) < count:
        add(rng.choice(FIRST_NAMES), rng.choice(FAMILY_NAMES))
    # The fixed pupils are registered, so that they get an account in the demo.
    records[:5] = [replace(r, state=State.INSCRIT) for r in records[:5]]
    return records[:count]


def refuse_real_schools() -> None:
    """Refuse a database that holds any school but the demo one: a real database.

    `cyclades-tui demo` works on the configured database (``$CYCLADES_DB``, the settings
    file); seeding a fictional school, a staff account and pupils into an academy's real
    database would mix them with real data. Nothing is written before this check.
    """
    with db_errors():
        real = [
            s.uai
            for s in School.select(School.uai)
            .where(School.uai != DEMO_UAI)
            .order_by(School.uai)
            .limit(4)
        ]
    if real:
        shown = ", ".join(real[:3]) + (" …" if len(real) > 3 else "")
        raise BadInput(
            f"Cette base contient de vrais établissements ({shown}) : la démonstration ne "
            "s'installe que dans une base vide ou déjà de démonstration ; rien n'a été "
            "écrit. Donnez une autre base, par exemple « --db sqlite:///$HOME/demo.db »."
        )


def seed_demo(
    count: int = 300,
    seed: int = 2026,
    *,
    settings: Settings,
    actor: Actor | None = None,
) -> DemoInfo:
    """Create (or top up) the demo school, its staff member and its candidates.

    Running it again keeps what exists; the staff password is only printed when the
    account is created or when ``reset`` is asked through the CLI.
    """
    actor = actor or operator()
    password: str | None = None
    refuse_real_schools()
    with db_errors():
        school = School.get_or_none(School.uai == DEMO_UAI)
        if school is None:
            school = School.create(uai=DEMO_UAI, name=DEMO_SCHOOL, service_enabled=True)
            audit.record(actor, "school.add", school, f"{DEMO_UAI} {DEMO_SCHOOL} (démo)")
        staff = Staff.get_or_none(Staff.login == DEMO_STAFF)
        if staff is None:
            password = secrets.token_urlsafe(12)
            Staff.create(login=DEMO_STAFF, password_hash="!", school=school, role=ROLE_SCHOOL)
            set_password(actor, DEMO_STAFF, password, settings=settings, must_change=False)
    with db_errors():
        existing = Candidate.select().where(Candidate.school == school).count()
    added = 0
    if existing < count:
        # Only a new or smaller demo school is (topped up and) imported: every start of
        # `--demo` must not leave an import in the journal.
        report = store_records(
            actor, school, demo_records(count, seed), [], False, origin="demo", where=line_of
        )
        added = report.added
    return DemoInfo(
        uai=DEMO_UAI,
        school_name=school.name,
        staff_login=DEMO_STAFF,
        staff_password=password,
        candidates=max(existing, count),
        added=added,
    )


def reset_demo_password(*, settings: Settings) -> str:
    """Give the demo staff member a new password and return it."""
    refuse_real_schools()
    password = secrets.token_urlsafe(12)
    set_password(operator(), DEMO_STAFF, password, settings=settings, must_change=False)
    return password
