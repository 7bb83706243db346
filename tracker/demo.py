"""A believable demo institution: ``flask --app tracker seed-demo [--if-empty]``.

Three faculties, eight PhD programmes, a few hundred PhD candidates and postdocs
admitted over the last eight years, their supervisors, coordinators and an
administrator; plans in every state with a consistent version history, stays
planned, completed and cancelled in many countries, and activities. A fixed random
seed makes it the same every time; dates are relative to today so it always looks
current. Every demo user logs in with DEMO_PASSWORD.
"""

import random
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from werkzeug.security import generate_password_hash

from tracker.domain.snapshot import build_snapshot, snapshot_digest
from tracker.domain.vocabulary import (
    ActivityStatus,
    ActivityType,
    EnrolmentKind,
    EnrolmentStatus,
    Funding,
    PlanEvent,
    PlanStatus,
    StayPurpose,
    StayStatus,
)
from tracker.extensions import db
from tracker.models import (
    Activity,
    CoordinatorScope,
    Enrolment,
    Faculty,
    Plan,
    PlanVersion,
    Programme,
    Stay,
    User,
)
from tracker.services import audit
from tracker.services.plans import record_stay_approval

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published on purpose, for the demo only
SEED = 2026
DOMAIN = "example.org"

LOADED = "loaded"
ALREADY_PRESENT = "already present"
SKIPPED_NOT_EMPTY = "skipped: not empty"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    name: str


ADMIN = DemoLogin("administrator", f"admin@{DOMAIN}", "Hilde Strand")
FACULTY_COORDINATOR = DemoLogin(
    "coordinator of the faculty IE", f"coordinator.ie@{DOMAIN}", "Kjetil Bakken"
)
PROGRAMME_COORDINATOR = DemoLogin(
    "coordinator of the programme PHD-HIST (also a supervisor)",
    f"coordinator.hist@{DOMAIN}",
    "Randi Aasen",
)
SUPERVISOR = DemoLogin(
    "supervisor with plans and a stay report waiting for a decision",
    f"supervisor@{DOMAIN}",
    "Ingrid Solberg",
)
DRAFT_CANDIDATE = DemoLogin(
    "PhD candidate with a draft plan", f"candidate.draft@{DOMAIN}", "Jonas Berg"
)
APPROVED_CANDIDATE = DemoLogin(
    "PhD candidate with an approved plan and a planned stay",
    f"candidate.approved@{DOMAIN}",
    "Sofia Rossi",
)
LOGINS = (
    ADMIN,
    FACULTY_COORDINATOR,
    PROGRAMME_COORDINATOR,
    SUPERVISOR,
    DRAFT_CANDIDATE,
    APPROVED_CANDIDATE,
)

FACULTIES = (
    ("IE", "Faculty of Information Technology and Electrical Engineering"),
    ("NV", "Faculty of Natural Sciences"),
    ("HF", "Faculty of Humanities"),
)
PROGRAMMES = (
    ("PHD-CS", "IE", "PhD Programme in Computer Science"),
    ("PHD-EPE", "IE", "PhD Programme in Electric Power Engineering"),
    ("PHD-ISCT", "IE", "PhD Programme in Information Security and Communication Technology"),
    ("PHD-CHEM", "NV", "PhD Programme in Chemistry"),
    ("PHD-BIO", "NV", "PhD Programme in Biology"),
    ("PHD-PHYS", "NV", "PhD Programme in Physics"),
    ("PHD-HIST", "HF", "PhD Programme in History"),
    ("PHD-LING", "HF", "PhD Programme in Linguistics"),
)

NORWEGIAN_FIRST = (
    "Ingrid Kari Nora Emma Sigrid Astrid Ragnhild Solveig Marit Silje Hanne Tuva Ida Maja "
    "Ingeborg Thea Synnøve Guro Kristin Eli Ole Lars Jonas Magnus Håkon Eirik Torbjørn "
    "Øystein Åsmund Kristian Henrik Sindre Vegard Even Sverre Anders Bjørn Erlend Halvard Trond"
).split()
NORWEGIAN_LAST = (
    "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Johnsen "
    "Pettersen Eriksen Haugen Hagen Johannessen Andreassen Jacobsen Dahl Jørgensen Halvorsen "
    "Henriksen Lund Sørensen Strand Moen Lie Holm Rønning Bjørnstad Solheim Nygård Brekke "
    "Myhre Sæther Vik Ødegård Fossum Tangen Grønvold"
).split()
# First and last names that go together, by country of origin ("|" separates names
# that contain a space).
INTERNATIONAL = (
    ("Wei Li Jing Hao Xin Yu", "Chen Wang Zhang Liu Yang Zhao"),
    ("Priya Arjun Ananya Rahul Kavya Vikram", "Sharma Patel Iyer Reddy Gupta Nair"),
    ("Giulia Luca Francesca Matteo Chiara Alessandro", "Rossi Bianchi Romano Colombo Ricci Greco"),
    ("Lucía Javier Carmen Pablo Elena Diego", "García Fernández Martínez López Sánchez Romero"),
    ("Lukas Anna Jonas Lea Felix Katharina", "Müller Schmidt Schneider Fischer Weber Becker"),
    ("Camille Louis Chloé Hugo Manon Julien", "Dubois Martin Bernard Lefèvre Moreau Laurent"),
    ("Mateusz Agnieszka Kacper Zofia Piotr Katarzyna", "Nowak Wójcik Mazur Krawczyk Zając Król"),
    ("Yuki Haruto Sakura Ren Aoi Daichi", "Tanaka Sato Suzuki Takahashi Watanabe Ito"),
    ("Sara Reza Maryam Ali Leila Amir", "Ahmadi Hosseini Karimi Rahimi Moradi Jafari"),
    ("Ngozi Chinedu Amaka Emeka Adaeze Tunde", "Okafor Adeyemi Eze Nwosu Balogun Okonkwo"),
    ("Elif Emre Zeynep Mehmet Ayşe Can", "Yılmaz Kaya Demir Şahin Çelik Aydın"),
    ("Olena Andriy Iryna Taras Oksana Dmytro", "Kovalenko Shevchenko Bondarenko Tkachenko Melnyk"),
    ("Ana Pedro Beatriz Rafael Mariana Tiago", "Silva Santos Oliveira Souza Costa Pereira"),
    ("Sanne Daan Lotte Bram Fleur Joris", "de Vries|Jansen|van Dijk|Bakker|Visser|Smit"),
    ("Elsa Erik Linnea Oskar Maja Axel", "Lindqvist Andersson Johansson Karlsson Bergström"),
    ("Selam Dawit Hana Yonas Meron Abel", "Tesfaye Bekele Girma Haile Alemu Tadesse"),
)

HOSTS = {
    "DE": [
        ("Technische Universität München", "Munich"),
        ("Max Planck Institute for Informatics", "Saarbrücken"),
        ("Heidelberg University", "Heidelberg"),
    ],
    "US": [
        ("Massachusetts Institute of Technology", "Cambridge, MA"),
        ("University of California, Berkeley", "Berkeley"),
        ("University of Washington", "Seattle"),
    ],
    "GB": [
        ("University of Cambridge", "Cambridge"),
        ("University of Edinburgh", "Edinburgh"),
        ("Imperial College London", "London"),
    ],
    "NL": [("Delft University of Technology", "Delft"), ("Utrecht University", "Utrecht")],
    "CH": [("ETH Zürich", "Zürich"), ("EPFL", "Lausanne")],
    "FR": [("Sorbonne Université", "Paris"), ("Université Grenoble Alpes", "Grenoble")],
    "SE": [("KTH Royal Institute of Technology", "Stockholm"), ("Lund University", "Lund")],
    "DK": [
        ("University of Copenhagen", "Copenhagen"),
        ("Technical University of Denmark", "Lyngby"),
    ],
    "FI": [("Aalto University", "Espoo")],
    "IT": [("Politecnico di Milano", "Milan"), ("University of Bologna", "Bologna")],
    "ES": [("Universitat de Barcelona", "Barcelona")],
    "AT": [("University of Vienna", "Vienna")],
    "JP": [("University of Tokyo", "Tokyo"), ("Kyoto University", "Kyoto")],
    "AU": [
        ("University of Melbourne", "Melbourne"),
        ("Australian National University", "Canberra"),
    ],
    "CA": [("University of Toronto", "Toronto"), ("McGill University", "Montreal")],
    "NZ": [("University of Auckland", "Auckland")],
    "SG": [("National University of Singapore", "Singapore")],
    "KR": [("KAIST", "Daejeon")],
    "CN": [("Tsinghua University", "Beijing")],
    "BR": [("Universidade de São Paulo", "São Paulo")],
    "ZA": [("University of Cape Town", "Cape Town")],
    "IS": [("University of Iceland", "Reykjavík")],
}
HOME_HOSTS = [
    ("University of Oslo", "Oslo"),
    ("University of Bergen", "Bergen"),
    ("The University Centre in Svalbard", "Longyearbyen"),
]
# Popular destinations come up more often, as in real exchange statistics.
COUNTRY_WEIGHTS = {
    "DE": 10, "US": 10, "GB": 8, "NL": 6, "CH": 5, "FR": 5, "SE": 4, "DK": 4, "FI": 2,
    "IT": 3, "ES": 3, "AT": 2, "JP": 2, "AU": 3, "CA": 3, "NZ": 1, "SG": 1, "KR": 1,
    "CN": 1, "BR": 1, "ZA": 1, "IS": 1,
}  # fmt: skip
FUNDING_WEIGHTS = {
    Funding.OVERSEAS_RESEARCH_GRANT: 35,
    Funding.ERASMUS_PLUS: 15,
    Funding.INSTITUTION: 15,
    Funding.HOST: 10,
    Funding.OWN_PROJECT: 15,
    Funding.OTHER: 5,
    Funding.NONE: 5,
}
CONFERENCES = {
    "IE": ["NeurIPS", "IEEE INFOCOM", "ACM CCS", "IEEE PES General Meeting", "ICSE"],
    "NV": [
        "EGU General Assembly",
        "ACS Fall Meeting",
        "Goldschmidt Conference",
        "APS March Meeting",
    ],
    "HF": [
        "International Congress of Historical Sciences",
        "International Conference on Historical Linguistics",
        "European Social Science History Conference",
    ],
}
JOURNALS = {
    "IE": ["IEEE Transactions on Power Systems", "ACM Computing Surveys", "IEEE Access"],
    "NV": [
        "Journal of the American Chemical Society",
        "Nature Communications",
        "Physical Review B",
    ],
    "HF": ["Past & Present", "Journal of Linguistics", "Scandinavian Journal of History"],
}
SUMMER_SCHOOLS = {
    "IE": "Oxford Machine Learning Summer School",
    "NV": "Les Houches Summer School",
    "HF": "Summer School in Digital Humanities, Leipzig",
}
NARRATIVES = [
    "A research stay with a group that works on the core problem of the thesis, to learn "
    "their methods and write a joint paper.",
    "Build an international network early: present at the main conference of the field "
    "each year and spend a term at a leading group abroad.",
    "The stay gives access to data and instruments that we do not have at home.",
]
JUSTIFICATIONS = [
    "Caring responsibilities for two small children make a longer stay abroad impossible "
    "in this period; international work happens through conferences and a joint project.",
    "The project depends on a field site in Norway; collaboration with the partner group "
    "abroad is through regular video meetings and two short visits.",
]
CHANGE_REQUESTS = [
    "Please add how the stay will be funded, and a contact person at the host group.",
    "The stay comes too late in the project to be useful; move it to the second year.",
    "Add at least one international conference where you will present your results.",
]
REPORTS = [
    "Worked in the host group on the second paper of the thesis; a draft is submitted.",
    "Collected the data as planned and gave a seminar at the host department.",
]


def seed_demo(*, if_empty: bool = False, today: date | None = None) -> str:
    """Load the demo institution unless present; return LOADED, ALREADY_PRESENT or SKIPPED_*."""
    if db.session.scalar(db.select(User.id).where(User.email == ADMIN.email)) is not None:
        return ALREADY_PRESENT
    if if_empty and db.session.scalar(db.select(User.id).limit(1)) is not None:
        return SKIPPED_NOT_EMPTY
    # One hash shared by every demo user: a modern KDF takes a noticeable time per call.
    password_hash = generate_password_hash(
        DEMO_PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"]
    )
    _DemoBuilder(today or date.today(), password_hash).build()
    return LOADED


def format_logins() -> str:
    """Return the demo logins and their shared password, one per line."""
    width = max(len(login.email) for login in LOGINS)
    lines = [f"Demo logins (password for every demo user: {DEMO_PASSWORD}):"]
    lines += [f"  {login.email:<{width}}  {login.name} - {login.role}" for login in LOGINS]
    return "\n".join(lines)


class _DemoBuilder:
    """Create the demo rows; one instance per run."""

    def __init__(self, today: date, password_hash: str) -> None:
        self.today = today
        self.now = datetime.now(UTC)
        self.rng = random.Random(SEED)
        self.password_hash = password_hash
        self.used_names: set[str] = set()
        self.used_emails: set[str] = set()
        self.faculties: dict[str, Faculty] = {}
        self.programmes: dict[str, Programme] = {}
        self.supervisors: dict[str, list[User]] = {}
        self.counts: Counter[str] = Counter()

    def build(self) -> None:
        """Create the whole institution and flush it."""
        self._organisation()
        self._staff()
        self._featured_people()
        for code in self.programmes:
            self._cohort(code)
        db.session.flush()
        audit.record("seed_demo", None, **self.counts)

    # -- people and organisation ---------------------------------------------------------

    def _organisation(self) -> None:
        for code, name in FACULTIES:
            self.faculties[code] = Faculty(code=code, name=name)
        for code, faculty, name in PROGRAMMES:
            self.programmes[code] = Programme(code=code, name=name, faculty=self.faculties[faculty])
        db.session.add_all(self.programmes.values())

    def _user(self, name: str, email: str | None = None, **fields: Any) -> User:
        self.used_names.add(name)
        email = email or self._email_for(name)
        self.used_emails.add(email)
        user = User(email=email, name=name, password_hash=self.password_hash, **fields)
        db.session.add(user)
        self.counts["users"] += 1
        return user

    def _email_for(self, name: str) -> str:
        folded = name.lower().translate(str.maketrans({"ø": "o", "æ": "ae", "ı": "i", "ł": "l"}))
        ascii_name = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
        parts = ["".join(ch for ch in part if ch.isalnum()) for part in ascii_name.split()]
        base = f"{parts[0]}.{''.join(parts[1:])}"
        email, n = f"{base}@{DOMAIN}", 1
        while email in self.used_emails:
            n += 1
            email = f"{base}{n}@{DOMAIN}"
        return email

    def _new_name(self, international: bool) -> str:
        for _attempt in range(100):
            if international:
                firsts, lasts = self.rng.choice(INTERNATIONAL)
                last_names = lasts.split("|") if "|" in lasts else lasts.split()
                name = f"{self.rng.choice(firsts.split())} {self.rng.choice(last_names)}"
            else:
                name = f"{self.rng.choice(NORWEGIAN_FIRST)} {self.rng.choice(NORWEGIAN_LAST)}"
            if name not in self.used_names:
                return name
        raise RuntimeError("ran out of demo names")  # cannot happen with these lists

    def _staff(self) -> None:
        self._user(ADMIN.name, ADMIN.email, is_admin=True)
        coordinator = self._user(FACULTY_COORDINATOR.name, FACULTY_COORDINATOR.email)
        coordinator.coordinator_scopes.append(CoordinatorScope(faculty=self.faculties["IE"]))
        featured = {
            "PHD-CS": self._user(SUPERVISOR.name, SUPERVISOR.email),
            "PHD-HIST": self._user(PROGRAMME_COORDINATOR.name, PROGRAMME_COORDINATOR.email),
        }
        featured["PHD-HIST"].coordinator_scopes.append(
            CoordinatorScope(programme=self.programmes["PHD-HIST"])
        )
        for code in self.programmes:
            staff = [featured[code]] if code in featured else []
            while len(staff) < 5:
                staff.append(self._user(self._new_name(self.rng.random() < 0.3)))
            self.supervisors[code] = staff

    # -- the featured demo logins ---------------------------------------------------------

    def _featured_people(self) -> None:
        ingrid = self.supervisors["PHD-CS"][0]

        jonas = self._user(DRAFT_CANDIDATE.name, DRAFT_CANDIDATE.email)
        enrolment = self._enrol(jonas, "PHD-CS", EnrolmentKind.PHD, self._ago(20), ingrid)
        self._plan(
            enrolment,
            PlanStatus.DRAFT,
            stays=[self._stay_at("SE", 0, self.today + timedelta(days=420), 92)],
            activities=[(ActivityType.CONFERENCE, "Poster at ICSE", self.today.year + 1)],
        )

        sofia = self._user(APPROVED_CANDIDATE.name, APPROVED_CANDIDATE.email)
        enrolment = self._enrol(sofia, "PHD-CS", EnrolmentKind.PHD, self._ago(540), ingrid)
        delft = self._stay_at("NL", 0, self.today + timedelta(days=75), 120)
        delft.funding = Funding.ERASMUS_PLUS
        self._plan(
            enrolment,
            PlanStatus.APPROVED,
            stays=[delft],
            activities=[
                (ActivityType.CONFERENCE, "Talk at NeurIPS", self.today.year - 1),
                (ActivityType.PUBLICATION, "Journal article in ACM Computing Surveys", None),
            ],
        )

        # Two plans and a stay report wait for Ingrid Solberg's decision.
        marius = self._user("Marius Haugen")
        enrolment = self._enrol(marius, "PHD-CS", EnrolmentKind.PHD, self._ago(45), ingrid)
        toronto = self._stay_at("CA", 0, self.today + timedelta(days=500), 150)
        self._plan(enrolment, PlanStatus.SUBMITTED, stays=[toronto], submitted=self._ago(4))

        priya = self._user("Priya Sharma")
        enrolment = self._enrol(priya, "PHD-CS", EnrolmentKind.POSTDOC, self._ago(70), ingrid)
        singapore = self._stay_at("SG", 0, self.today + timedelta(days=200), 60)
        self._plan(enrolment, PlanStatus.SUBMITTED, stays=[singapore], submitted=self._ago(2))

        amaka = self._user("Amaka Eze")
        enrolment = self._enrol(amaka, "PHD-CS", EnrolmentKind.POSTDOC, self._ago(95), ingrid)
        self._plan(
            enrolment,
            PlanStatus.CHANGES_REQUESTED,
            stays=[self._stay_at("US", 1, self.today + timedelta(days=330), 45)],
            submitted=self._ago(30),
        )

        lukas = self._user("Lukas Müller")
        enrolment = self._enrol(lukas, "PHD-CS", EnrolmentKind.PHD, self._ago(900), ingrid)
        eth = self._stay_at("CH", 0, self._ago(100), 89)
        self._plan(enrolment, PlanStatus.APPROVED, stays=[eth], submitted=self._ago(870))
        eth.reported_at = self._moment(self._ago(3))
        eth.reported_start_date = eth.start_date + timedelta(days=2)
        eth.reported_end_date = eth.end_date
        eth.report = REPORTS[0]

    # -- cohorts --------------------------------------------------------------------------

    def _cohort(self, code: str) -> None:
        """Admit PhD candidates, postdocs and new staff to one programme over eight years."""
        for kind, count in (
            (EnrolmentKind.PHD, self.rng.randint(28, 36)),
            (EnrolmentKind.POSTDOC, self.rng.randint(5, 10)),
            (EnrolmentKind.STAFF, self.rng.randint(3, 5)),
        ):
            for _n in range(count):
                international = self.rng.random() < (0.35 if kind == EnrolmentKind.PHD else 0.6)
                person = self._user(self._new_name(international))
                start = self.today - timedelta(days=self.rng.randint(0, 8 * 365 - 1))
                enrolment = self._enrol(
                    person,
                    code,
                    kind,
                    start,
                    self.rng.choice(self.supervisors[code]),
                    experience=kind != EnrolmentKind.PHD and self.rng.random() < 0.45,
                )
                self._lifecycle(enrolment)
                self._random_plan(enrolment)

    def _enrol(
        self,
        person: User,
        code: str,
        kind: EnrolmentKind,
        start: date,
        supervisor: User,
        *,
        experience: bool = False,
    ) -> Enrolment:
        years = 4 if kind == EnrolmentKind.PHD else self.rng.choice([2, 3])
        others = [u for u in self.supervisors[code] if u is not supervisor]
        # A permanent position has no expected end.
        expected = None if kind == EnrolmentKind.STAFF else start + timedelta(days=365 * years)
        enrolment = Enrolment(
            person=person,
            programme=self.programmes[code],
            kind=kind,
            status=EnrolmentStatus.ACTIVE,
            start_date=start,
            expected_end_date=expected,
            main_supervisor=supervisor,
            co_supervisors=[self.rng.choice(others)] if self.rng.random() < 0.5 else [],
            international_experience=experience,
        )
        db.session.add(enrolment)
        self.counts["enrolments"] += 1
        return enrolment

    def _lifecycle(self, enrolment: Enrolment) -> None:
        """Finish or withdraw the enrolments old enough for it."""
        age = (self.today - enrolment.start_date).days
        if age > 365 and self.rng.random() < 0.06:
            enrolment.status = EnrolmentStatus.WITHDRAWN
            enrolment.end_date = enrolment.start_date + timedelta(days=self.rng.randint(180, age))
            return
        if enrolment.kind == EnrolmentKind.STAFF:
            # Some leave a permanent position: for another one, or before settling in.
            r = self.rng.random()
            if age > 365 and r < 0.25:
                enrolment.status = (
                    EnrolmentStatus.WITHDRAWN if r < 0.08 else EnrolmentStatus.COMPLETED
                )
                left = self.rng.randint(180, age - 14)
                enrolment.end_date = enrolment.start_date + timedelta(days=left)
            return
        if enrolment.kind == EnrolmentKind.PHD:
            length = self.rng.randint(1200, 1900)
        else:
            length = (enrolment.expected_end_date - enrolment.start_date).days
        if length < age - 14:
            enrolment.status = EnrolmentStatus.COMPLETED
            enrolment.end_date = enrolment.start_date + timedelta(days=length)

    def _random_plan(self, enrolment: Enrolment) -> None:
        status = self._plan_state(enrolment)
        if status is None:
            return
        wants_stay = self.rng.random() < (0.45 if enrolment.international_experience else 0.75)
        stays: list[Stay] = []
        if wants_stay:
            for index in range(1 if self.rng.random() < 0.85 else 2):
                stays.append(self._planned_stay(enrolment, index, status))
        faculty = enrolment.programme.faculty.code
        activities: list[tuple[ActivityType, str, int | None]] = []
        for _n in range(self.rng.randint(1, 4)):
            year = enrolment.start_date.year + self.rng.randint(0, 3)
            activity_type = self.rng.choice(list(ActivityType))
            activities.append((activity_type, self._activity_title(activity_type, faculty), year))
        revised = status == PlanStatus.APPROVED and self.rng.random() < 0.25
        submitted = None
        if status in (PlanStatus.SUBMITTED, PlanStatus.CHANGES_REQUESTED):
            # Waiting plans were sent in lately, not years ago.
            submitted = max(self._ago(self.rng.randint(2, 40)), enrolment.start_date)
        self._plan(
            enrolment,
            status,
            stays=stays,
            activities=activities,
            submitted=submitted,
            revised=revised,
        )
        for stay in stays:
            if status == PlanStatus.APPROVED:
                self._outcome(enrolment, stay)
            elif enrolment.status != EnrolmentStatus.ACTIVE:
                stay.status = StayStatus.CANCELLED

    def _plan_state(self, enrolment: Enrolment) -> PlanStatus | None:
        """Pick a plausible plan state (None: no plan) for the enrolment's age and status."""
        age = (self.today - enrolment.start_date).days
        r = self.rng.random()
        if enrolment.status == EnrolmentStatus.COMPLETED:
            return PlanStatus.APPROVED if r < 0.88 else None
        if enrolment.status == EnrolmentStatus.WITHDRAWN:
            return PlanStatus.APPROVED if r < 0.5 else PlanStatus.DRAFT if r < 0.8 else None
        if age < 30:
            return None if r < 0.4 else PlanStatus.DRAFT
        if age < 120:
            # Some are overdue: no plan, or a draft never submitted, after 30 days.
            for state, limit in (
                (None, 0.1),
                (PlanStatus.DRAFT, 0.3),
                (PlanStatus.SUBMITTED, 0.55),
                (PlanStatus.CHANGES_REQUESTED, 0.7),
            ):
                if r < limit:
                    return state
            return PlanStatus.APPROVED
        for state, limit in (
            (None, 0.05),
            (PlanStatus.DRAFT, 0.12),
            (PlanStatus.SUBMITTED, 0.2),
            (PlanStatus.CHANGES_REQUESTED, 0.25),
        ):
            if r < limit:
                return state
        return PlanStatus.APPROVED

    # -- stays, activities, plans ---------------------------------------------------------

    def _stay_at(self, country: str, host_index: int, start: date, days: int) -> Stay:
        hosts = HOME_HOSTS if country == "NO" else HOSTS[country]
        host, city = hosts[host_index % len(hosts)]
        return Stay(
            host_institution=host,
            host_contact="",
            city=city,
            country=country,
            start_date=start,
            end_date=start + timedelta(days=days - 1),
            purpose=StayPurpose.RESEARCH_STAY,
            funding=self.rng.choices(list(FUNDING_WEIGHTS), list(FUNDING_WEIGHTS.values()))[0],
            notes="",
            status=StayStatus.PLANNED,
            in_approved_plan=False,
            report="",
            return_comment="",
        )

    def _planned_stay(self, enrolment: Enrolment, index: int, status: PlanStatus) -> Stay:
        phd = enrolment.kind == EnrolmentKind.PHD
        offset = self.rng.randint(300, 1100) if phd else self.rng.randint(120, 500)
        start = enrolment.start_date + timedelta(days=offset + 200 * index)
        if status != PlanStatus.APPROVED:
            # A plan not yet approved plans ahead.
            start = max(start, self.today + timedelta(days=self.rng.randint(30, 300)))
        # Mostly a term abroad; some short visits under the 28 days that count.
        days = self.rng.randint(45, 180) if self.rng.random() < 0.85 else self.rng.randint(10, 27)
        if self.rng.random() < 0.08:
            country = "NO"
        else:
            country = self.rng.choices(list(COUNTRY_WEIGHTS), list(COUNTRY_WEIGHTS.values()))[0]
        stay = self._stay_at(country, self.rng.randint(0, 2), start, days)
        if enrolment.programme.faculty.code != "IE" and self.rng.random() < 0.3:
            stay.purpose = StayPurpose.FIELDWORK
        return stay

    def _outcome(self, enrolment: Enrolment, stay: Stay) -> None:
        """Move a stay of an approved plan on: done and confirmed, cancelled, or reported."""
        ended_by = enrolment.end_date or self.today
        if stay.end_date > ended_by:
            if enrolment.status != EnrolmentStatus.ACTIVE:
                stay.status = StayStatus.CANCELLED
            return  # still ahead, or under way
        r = self.rng.random()
        if r < 0.12:
            stay.status = StayStatus.CANCELLED
            return
        recent = (self.today - stay.end_date).days < 90
        if enrolment.status == EnrolmentStatus.ACTIVE and recent and r < 0.3:
            stay.reported_at = self._moment(stay.end_date + timedelta(days=self.rng.randint(1, 5)))
            stay.reported_start_date = stay.start_date
            stay.reported_end_date = stay.end_date
            stay.report = self.rng.choice(REPORTS)
            return
        # The actual dates differ a little from the planned ones.
        shift = self.rng.randint(-7, 7)
        start = max(stay.start_date + timedelta(days=shift), enrolment.start_date)
        end = min(stay.end_date + timedelta(days=shift), ended_by)
        stay.start_date, stay.end_date = start, max(end, start)
        stay.status = StayStatus.COMPLETED
        stay.confirmed_at = self._moment(stay.end_date + timedelta(days=self.rng.randint(3, 30)))
        stay.confirmed_by = enrolment.main_supervisor

    def _activity_title(self, activity_type: ActivityType, faculty: str) -> str:
        rng = self.rng
        if activity_type == ActivityType.CONFERENCE:
            return f"Talk at {rng.choice(CONFERENCES[faculty])}"
        if activity_type == ActivityType.PUBLICATION:
            return f"Journal article in {rng.choice(JOURNALS[faculty])}"
        if activity_type == ActivityType.COLLABORATION:
            country = rng.choice(list(HOSTS))
            return f"Joint project with a group at {HOSTS[country][0][0]}"
        if activity_type == ActivityType.COURSE:
            return SUMMER_SCHOOLS[faculty]
        if activity_type == ActivityType.CO_SUPERVISION:
            return "Co-supervision of a master's thesis with a partner university"
        return "Review for an international journal"

    def _plan(
        self,
        enrolment: Enrolment,
        status: PlanStatus,
        *,
        stays: list[Stay] | None = None,
        activities: list[tuple[ActivityType, str, int | None]] | None = None,
        submitted: date | None = None,
        revised: bool = False,
    ) -> Plan:
        """Create a plan with its stays, activities and a history consistent with ``status``."""
        stays = stays or []
        plan = Plan(
            enrolment=enrolment,
            status=status,
            narrative=self.rng.choice(NARRATIVES) if stays else "",
            no_stay_justification="" if stays else self.rng.choice(JUSTIFICATIONS),
        )
        db.session.add(plan)
        for stay in stays:
            enrolment.stays.append(stay)
        for activity_type, title, year in activities or []:
            done = year is not None and year < self.today.year
            enrolment.activities.append(
                Activity(
                    type=activity_type,
                    title=title,
                    planned_term=f"{year} {self.rng.choice(['spring', 'autumn'])}" if year else "",
                    status=ActivityStatus.DONE if done else ActivityStatus.PLANNED,
                    # A day in its year (done years are past ones), not before the start.
                    done_on=max(date(year, 10, 1), enrolment.start_date) if done else None,
                    evidence=self._doi()
                    if done and activity_type == ActivityType.PUBLICATION
                    else "",
                )
            )
        self.counts[f"plans_{status.value}"] += 1
        if status == PlanStatus.DRAFT:
            return plan
        # Snapshots list the stays by id, as the plan service writes them.
        db.session.flush()
        snapshot = build_snapshot(plan, enrolment.stays, enrolment.activities)
        supervisor = enrolment.main_supervisor
        when = self._moment(
            submitted or enrolment.start_date + timedelta(days=self.rng.randint(7, 45))
        )
        number = 1
        if revised or status == PlanStatus.CHANGES_REQUESTED:
            self._version(plan, number, PlanEvent.SUBMITTED, enrolment.person, when, snapshot)
            when = self._later(when, 3, 14)
            comment = self.rng.choice(CHANGE_REQUESTS)
            self._version(
                plan, number, PlanEvent.CHANGES_REQUESTED, supervisor, when, snapshot, comment
            )
            if status == PlanStatus.CHANGES_REQUESTED:
                return plan
            number, when = 2, self._later(when, 5, 20)
        self._version(plan, number, PlanEvent.SUBMITTED, enrolment.person, when, snapshot)
        plan.submitted_at = when
        if status == PlanStatus.APPROVED:
            when = self._later(when, 2, 12)
            approved = self._version(plan, number, PlanEvent.APPROVED, supervisor, when, snapshot)
            plan.approved_version = approved
            for stay in enrolment.stays:
                stay.mark_approved()
                record_stay_approval(stay, approved)
            for activity in enrolment.activities:
                activity.mark_approved()
        return plan

    def _version(
        self,
        plan: Plan,
        number: int,
        event: PlanEvent,
        actor: User | None,
        when: datetime,
        snapshot: dict[str, Any],
        comment: str = "",
    ) -> PlanVersion:
        version = PlanVersion(
            plan=plan,
            number=number,
            event=event,
            actor=actor,
            created_at=when,
            effective_at=when,
            comment=comment,
            snapshot=snapshot,
            snapshot_sha256=snapshot_digest(snapshot),
        )
        db.session.add(version)
        return version

    # -- small helpers --------------------------------------------------------------------

    def _ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def _moment(self, day: date) -> datetime:
        """Return a time during office hours on ``day``, never later than now."""
        moment = datetime.combine(day, time(self.rng.randint(8, 15), self.rng.randint(0, 59)), UTC)
        return min(moment, self.now)

    def _later(self, moment: datetime, low: int, high: int) -> datetime:
        return min(moment + timedelta(days=self.rng.randint(low, high)), self.now)

    def _doi(self) -> str:
        # 10.5555 is the prefix DOI registration agencies reserve for examples and tests.
        return f"https://doi.org/10.5555/demo.{self.rng.randint(1000, 9999)}"
