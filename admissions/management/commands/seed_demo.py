"""`python manage.py seed_demo --applicants N [--seed S] [--cycle CODE]`

Fills a cycle (default "2025", created by `seed`) with realistic fake applicants and
applications in every state, for demos, tests and benchmarks.

* Deterministic: the same --seed gives the same people, choices and statuses.
* Fast: rows are built in memory as plain values (no model instances, no signals, no
  save()) and written in batches (COPY on PostgreSQL, bulk_create elsewhere), then
  ANALYZE gives the query planner statistics of the new rows (without them PostgreSQL
  plans the admin's queries as for empty tables); one password hash is computed once and
  shared; no service is called, so no mail is queued (seed data does
  not notify anybody) and StatusEvents are written directly, consistent with the states.
* Documents: one tiny file per kind (a ~1 KB PDF, a PNG photo) is written once to the
  private storage and shared by the rows of live applications; rejected and withdrawn
  applications get their own copies, because the retention purge deletes their files.
* Twice: the users of a seed are named `demo-<seed>-<n>`; running again with a seed that
  already has users is refused (use another --seed to add more applicants). References
  continue from the cycle's counter, so several seeds never collide.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, models, transaction
from django.utils import timezone
from faker import Faker

from admissions.applicants.search import profile_search_key
from admissions.applications import lifecycle
from admissions.applications import steps as form_steps
from admissions.applications.services import application_reference
from admissions.demo import (
    birth_date_between,
    demo_pdf_bytes,
    demo_png_bytes,
    iin_generate,
    kazakh_person,
    snils_generate,
    transliterate,
)
from admissions.enums import ApplicationStatus as S
from admissions.models import (
    ApplicantProfile,
    Application,
    ApplicationChoice,
    Document,
    DocumentRequest,
    ExamResult,
    StatusEvent,
)
from admissions.seed_defaults import next_steps_default_create
from programs.models import AdmissionCycle

# Fields whose value goes into COPY unchanged on PostgreSQL: get_db_prep_save returns
# what it is given for these (exact types only: subclasses such as a phone number field
# prepare their values).
PLAIN_FIELD_TYPES = {
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.DateTimeField,
    models.EmailField,
    models.ForeignKey,
    models.IntegerField,
    models.OneToOneField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SlugField,
    models.SmallIntegerField,
    models.TextField,
}

DEMO_PASSWORD = "demo-applicant-2025"  # noqa: S105 (documented demo password)

OTHER_CITIZENSHIPS = ["UZ", "KG", "TJ", "MN", "CN", "TM", "IN"]
SCHOOLS = {
    "KZ": ["Назарбаев Зияткерлік мектебі", "№ 25 мектеп-гимназия", "Абай атындағы лицей"],
    "RU": ["Лицей № 64 г. Омска", "Гимназия № 19", "СОШ № 115 г. Омска"],
    "OTHER": ["International School of Tashkent", "Bishkek Lyceum No. 61", "School No. 7"],
}
UNIVERSITIES = {
    "KZ": ["КазНУ им. аль-Фараби", "ЕНУ им. Л. Н. Гумилева", "Карагандинский университет"],
    "RU": ["ОмГУ им. Ф. М. Достоевского", "Новосибирский государственный университет"],
    "OTHER": ["National University of Uzbekistan", "Kyrgyz National University"],
}
MOTIVATION_OPENINGS = [
    "Я хочу стать юристом-международником и работать на стыке права Казахстана и России.",
    "Менің арманым — қазақ филологиясын тереңірек зерттеп, ана тілімді дамытуға үлес қосу.",
    "I would like to build a career in customs and international trade between our countries.",
    "Таможенное дело интересует меня с тех пор, как я побывал на границе в Петропавловске.",
]
REJECTION_REASONS = [
    "Скан нечитаем, загрузите документ в лучшем качестве.",
    "The photo must show the face clearly on a light background.",
    "Құжаттың барлық беттерін жүктеңіз.",
]


@contextmanager
def historical_timestamps(*fields) -> Iterator[None]:
    """Let bulk_create keep the given auto_now_add values (demo history lies in the past)."""
    saved = [(field, field.auto_now_add) for field in fields]
    try:
        for field, _flag in saved:
            field.auto_now_add = False
        yield
    finally:
        for field, flag in saved:
            field.auto_now_add = flag


@dataclass(frozen=True)
class RawValue:
    """A value already in the form its column stores: written without the field's
    preparation (which, for a phone number, parses and validates it again)."""

    value: Any


def _done(count: int) -> set[str]:
    """The slugs of the first `count` steps of the form."""
    return {declared.slug for declared in form_steps.STEPS[:count]}


class Command(BaseCommand):
    help = "Create N realistic demo applicants and applications in every state (deterministic)."

    def add_arguments(self, parser):
        parser.add_argument("--applicants", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--cycle", default="2025")
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, applicants, seed, cycle, batch_size, **options):
        if applicants < 1:
            raise CommandError("--applicants must be at least 1.")
        try:
            self.cycle = AdmissionCycle.objects.get(code=cycle)
        except AdmissionCycle.DoesNotExist as exc:
            raise CommandError(
                f"No admission cycle {cycle!r}: run `python manage.py seed` first."
            ) from exc
        User = get_user_model()
        if User.objects.filter(username__startswith=f"demo-{seed}-").exists():
            raise CommandError(
                f"Demo applicants of seed {seed} already exist; use another --seed to add more."
            )
        offerings = list(
            self.cycle.offerings.select_related("program").prefetch_related("program__languages")
        )
        if not offerings:
            raise CommandError(f"Cycle {cycle!r} has no offerings: run `seed` first.")
        # What the demo applicants are told to do after their decisions.
        next_steps_default_create(cycle=self.cycle)
        started = time.monotonic()
        self.rng = random.Random(seed)
        self.fakers = {}
        for locale in ("ru_RU", "en_US", "uz_UZ"):
            faker = Faker(locale)
            faker.seed_instance(seed)
            self.fakers[locale] = faker
        self.seed = seed
        self.offerings_by_level: dict[str, list] = {}
        for offering in offerings:
            self.offerings_by_level.setdefault(offering.program.level, []).append(offering)
        self.languages = {o.pk: list(o.program.languages.all()) for o in offerings}
        self.password = make_password(DEMO_PASSWORD)
        self.motivations = self._motivation_pool()

        people = [self._person(index) for index in range(applicants)]
        self._assign_references(people)
        self.shared_files = self._shared_files()
        created = 0
        for start in range(0, applicants, batch_size):
            with transaction.atomic():
                self._write_batch(people[start : start + batch_size])
            created = min(start + batch_size, applicants)
            self.stdout.write(
                f"  {created}/{applicants} applicants ({time.monotonic() - started:.1f} s)"
            )
        self._analyze()
        self.stdout.write(f"  statistics updated ({time.monotonic() - started:.1f} s)")
        counts = dict.fromkeys(S, 0)
        for person in people:
            counts[person["status"]] += 1
        summary = ", ".join(f"{status.value} {count}" for status, count in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {applicants} demo applicants in cycle {self.cycle.code} "
                f"(seed {seed}) in {time.monotonic() - started:.1f} s: {summary}. "
                f"Password of every demo account: {DEMO_PASSWORD}"
            )
        )

    def _analyze(self) -> None:
        """Refresh the planner's statistics of the tables just filled."""
        models = (
            get_user_model(),
            EmailAddress,
            ApplicantProfile,
            Application,
            ApplicationChoice,
            ExamResult,
            StatusEvent,
            Document,
        )
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")

    # --- Building people in memory -------------------------------------------------------
    def _motivation_pool(self) -> list[str]:
        faker = self.fakers["ru_RU"]
        pool = []
        for index in range(40):
            opening = MOTIVATION_OPENINGS[index % len(MOTIVATION_OPENINGS)]
            pool.append(f"{opening} {faker.text(max_nb_chars=900)}"[:1500])
        return pool

    def _pick_status(self, index: int) -> str:
        # The share of each status is lifecycle data (`StatusSpec.demo_weight`).
        statuses = list(lifecycle.LIFECYCLE)
        if index < len(statuses):  # every state appears, whatever N
            return statuses[index]
        weights = [lifecycle.spec(status).demo_weight for status in statuses]
        return self.rng.choices(statuses, weights=weights)[0]

    def _person(self, index: int) -> dict:
        rng = self.rng
        female = rng.random() < 0.55
        roll = rng.random()
        levels = self.offerings_by_level
        if "master" in levels and (rng.random() < 0.25 or "bachelor" not in levels):
            level = "master"
        else:
            level = "bachelor" if "bachelor" in levels else next(iter(levels))
        today = timezone.localdate()
        age_range = (22, 35) if level == "master" else (16, 21)
        birth = birth_date_between(
            rng,
            oldest=today.replace(year=today.year - age_range[1]),
            youngest=today.replace(year=today.year - age_range[0]),
        )
        if roll < 0.55:
            citizenship, kind = "KZ", "iin"
            last, first, patronymic = kazakh_person(rng, female=female)
            identifier = iin_generate(rng, birth_date=birth, female=female)
            phone = f"+77{rng.choice(['01', '05', '07', '47', '77'])}{rng.randrange(10**7):07d}"
            language = rng.choice(["kk", "kk", "ru", "en"])
        elif roll < 0.9:
            citizenship, kind = "RU", "snils"
            faker = self.fakers["ru_RU"]
            if female:
                last, first = faker.last_name_female(), faker.first_name_female()
                patronymic = faker.middle_name_female()
            else:
                last, first = faker.last_name_male(), faker.first_name_male()
                patronymic = faker.middle_name_male()
            identifier = snils_generate(rng)
            phone = f"+79{rng.randrange(10**9):09d}"
            language = rng.choice(["ru", "ru", "en"])
        else:
            citizenship, kind = rng.choice(OTHER_CITIZENSHIPS), "passport"
            faker = self.fakers["uz_UZ" if rng.random() < 0.6 else "en_US"]
            first = faker.first_name_female() if female else faker.first_name_male()
            last = faker.last_name_female() if female else faker.last_name_male()
            patronymic = ""
            identifier = (
                f"{rng.choice('ABCDEFKN')}{rng.choice('ABCDEFKN')}{rng.randrange(10**7):07d}"
            )
            phone = f"+99890{rng.randrange(10**7):07d}"
            language = "en"
        status = self._pick_status(index)
        return {
            "index": index,
            "female": female,
            "level": level,
            "birth": birth,
            "citizenship": citizenship,
            "kind": kind,
            "last": last,
            "first": first,
            "patronymic": patronymic,
            "identifier": identifier,
            "phone": phone,
            "language": language,
            "status": status,
            "submitted_at": self._submitted_at() if status != S.DRAFT else None,
            # How many steps of the form are done (all, once submitted).
            "draft_step": (
                rng.randrange(0, len(form_steps.STEPS))
                if status in lifecycle.statuses_in(lifecycle.Group.EDITABLE)
                else len(form_steps.STEPS)
            ),
        }

    def _submitted_at(self) -> datetime:
        opens, closes = self.cycle.opens_at, min(self.cycle.closes_at, timezone.now())
        if closes <= opens:
            closes = self.cycle.closes_at
        span = (closes - opens).total_seconds()
        return opens + timedelta(seconds=self.rng.uniform(0, span * 0.98))

    def _assign_references(self, people: list[dict]) -> None:
        submitted = sorted(
            (p for p in people if p["submitted_at"]), key=lambda p: p["submitted_at"]
        )
        with transaction.atomic():
            cycle = AdmissionCycle.objects.select_for_update().get(pk=self.cycle.pk)
            first = cycle.reference_counter + 1
            cycle.reference_counter += len(submitted)
            cycle.save(update_fields=["reference_counter"])
        for number, person in enumerate(submitted, start=first):
            person["reference"] = application_reference(cycle=self.cycle, number=number)

    # --- Documents ---------------------------------------------------------------------------
    def _store(self, name: str, content: bytes) -> tuple[str, int, str]:
        storage = storages["private"]
        if storage.exists(name):
            storage.delete(name)
        stored = storage.save(name, ContentFile(content))
        return stored, len(content), hashlib.sha256(content).hexdigest()

    def _shared_files(self) -> dict[str, tuple[str, int, str, str]]:
        files = {}
        for kind in ("identity", "education", "transcript", "language_certificate", "other"):
            name, size, sha = self._store(
                f"documents/demo/{kind}-{self.seed}.pdf", demo_pdf_bytes(f"Demo {kind}")
            )
            files[kind] = (name, size, sha, "application/pdf")
        name, size, sha = self._store(
            f"documents/demo/photo-{self.seed}.png", demo_png_bytes(seed=self.seed)
        )
        files["photo"] = (name, size, sha, "image/png")
        return files

    def _own_file(self, application_id: int, kind: str) -> tuple[str, int, str, str]:
        """A file of its own for one document: a hard link to the shared file when the
        storage is a local folder (no extra disk), else a copy."""
        shared_name, size, sha, content_type = self.shared_files[kind]
        storage = storages["private"]
        name = f"documents/demo/{self.seed}/{application_id}-{kind}"
        try:
            source, target = storage.path(shared_name), storage.path(name)
        except NotImplementedError:  # remote storage: write a copy
            with storage.open(shared_name, "rb") as handle:
                return storage.save(name, handle), size, sha, content_type
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.exists(target):
            os.remove(target)
        os.link(source, target)
        return name, size, sha, content_type

    # --- Writing a batch -------------------------------------------------------------------
    def _write_batch(self, batch: list[dict]) -> None:
        rng = self.rng
        User = get_user_model()
        now = timezone.now()
        users = []
        for person in batch:
            latin_first, latin_last = transliterate(person["first"]), transliterate(person["last"])
            person["latin"] = (latin_first, latin_last)
            username = f"demo-{self.seed}-{person['index']}"
            email = (
                f"{latin_first}.{latin_last}.{self.seed}-{person['index']}@demo.kaznu-omsk.example"
            )
            email = "".join(c for c in email.lower() if c.isalnum() or c in ".-@")
            users.append(
                {
                    "username": username,
                    "email": email,
                    "password": self.password,
                    "first_name": latin_first[:150],
                    "last_name": latin_last[:150],
                    "date_joined": (person["submitted_at"] or now) - timedelta(days=2),
                }
            )
        user_ids = self._create(User, users, now=now)
        self._insert(
            EmailAddress,
            ("user_id", "email", "verified", "primary"),
            [
                (user_id, user["email"], person["status"] != S.DRAFT or rng.random() < 0.7, True)
                for user_id, user, person in zip(user_ids, users, batch, strict=True)
            ],
        )
        profiles = []
        for user_id, person in zip(user_ids, batch, strict=True):
            person["user_id"] = user_id
            if person["status"] == S.DRAFT and person["draft_step"] == 0:
                continue  # signed up, no personal data yet
            latin_first, latin_last = person["latin"]
            profile = SimpleNamespace(
                user_id=user_id,
                last_name_native=person["last"],
                first_name_native=person["first"],
                patronymic_native=person["patronymic"],
                last_name_latin=latin_last,
                first_name_latin=latin_first,
                birth_date=person["birth"],
                citizenship=person["citizenship"],
                identifier_kind=person["kind"],
                identifier=person["identifier"],
                # Generated in E.164, the form the field stores: written as it is.
                phone=RawValue(person["phone"]),
                preferred_language=person["language"],
            )
            profile.search_key = profile_search_key(profile)
            profiles.append(vars(profile))
        self._create(ApplicantProfile, profiles, now=now)

        version = settings.PERSONAL_DATA_CONSENT_VERSION
        applications = []
        for person in batch:
            done = _done(person["draft_step"])
            submitted_at = person["submitted_at"]
            created_at = (submitted_at or timezone.now()) - timedelta(
                days=rng.randrange(1, 20), minutes=rng.randrange(1440)
            )
            country = person["citizenship"] if person["citizenship"] in SCHOOLS else "OTHER"
            master = person["level"] == "master"
            grade_scale = {"KZ": Decimal("5"), "RU": Decimal("5")}.get(country, Decimal("100"))
            grade = (
                (grade_scale * Decimal(rng.uniform(0.6, 1))).quantize(Decimal("0.01"))
                if "education" in done
                else None
            )
            applications.append(
                {
                    "applicant_id": person["user_id"],
                    "cycle_id": self.cycle.pk,
                    "reference": person.get("reference"),
                    "status": person["status"],
                    "education_institution": rng.choice(
                        (UNIVERSITIES if master else SCHOOLS)[country]
                    )
                    if "education" in done
                    else "",
                    "education_country": person["citizenship"] if "education" in done else "",
                    "education_document_kind": (
                        "bachelor_diploma" if master else "school_certificate"
                    )
                    if "education" in done
                    else "",
                    "education_document_number": f"{rng.randrange(10**8):08d}"
                    if "education" in done
                    else "",
                    "graduation_year": (
                        person["birth"].year + (22 if master else 17)
                        if "education" in done
                        else None
                    ),
                    "grade_average": grade,
                    "grade_scale_max": grade_scale if "education" in done else None,
                    "scholarship_requested": "motivation" in done and rng.random() < 0.6,
                    "motivation": rng.choice(self.motivations) if "motivation" in done else "",
                    "consent_version": version if submitted_at else "",
                    "consent_given_at": submitted_at,
                    "completed_steps": [
                        declared.slug for declared in form_steps.STEPS if declared.slug in done
                    ],
                    "submitted_at": submitted_at,
                    "created_at": created_at,
                    "documents_request_message": (
                        rng.choice(REJECTION_REASONS)
                        if person["status"] == S.DOCUMENTS_REQUESTED
                        else ""
                    ),
                    "decision_note": (
                        "Недостаточно баллов для зачисления."
                        if person["status"] == S.REJECTED
                        else ""
                    ),
                }
            )
        application_ids = self._create(Application, applications, now=now)
        # What the child rows need of their application.
        applications = [
            SimpleNamespace(
                pk=pk,
                documents_request_message=row["documents_request_message"],
                decision_note=row["decision_note"],
            )
            for pk, row in zip(application_ids, applications, strict=True)
        ]

        choices, exams, events, documents = [], [], [], []
        for application, person in zip(applications, batch, strict=True):
            done = _done(person["draft_step"])
            if "programs" in done:
                pool = self.offerings_by_level[person["level"]]
                chosen = rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 2, 2, 3])))
                for priority, offering in enumerate(chosen, start=1):
                    language = rng.choice(self.languages[offering.pk])
                    choices.append((application.pk, offering.pk, priority, language.pk))
                    if language.code == "en":
                        person["needs_language_certificate"] = True
            if "exams" in done:
                exams.extend(self._exams(application, person))
            events.extend(self._events(application, person))
            documents.extend(self._documents(application, person, done))
        # Child rows go in with plain executemany: no model instances, several times faster.
        self._insert(
            ApplicationChoice,
            ("application_id", "offering_id", "priority", "language_id"),
            choices,
        )
        self._insert(
            ExamResult,
            ("application_id", "exam", "subject", "score", "max_score", "taken_on"),
            exams,
        )
        self._insert(
            StatusEvent,
            (
                "application_id",
                "from_status",
                "to_status",
                "actor_id",
                "note",
                "override_reason",
                "created_at",
            ),
            events,
        )
        self._insert(
            Document,
            (
                "application_id",
                "kind",
                "file",
                "original_name",
                "size",
                "sha256",
                "content_type",
                "status",
                "rejection_reason",
                "uploaded_at",
                "verified_at",
            ),
            documents,
        )
        # What the office asked of the applications waiting for documents: the rejected
        # document's kind, with the request's message.
        DocumentRequest.objects.bulk_create(
            DocumentRequest(application_id=row[0], kinds=[row[1]], note=row[8])
            for row in documents
            if row[7] == "rejected"
        )

    def _create(self, model, rows: list[dict], *, now: datetime) -> list[int]:
        """Write `rows` (field attname -> value) of `model`; return their new ids, in order.

        A field missing from a row gets its default (called per row when callable, so
        unique defaults stay unique); an auto_now / auto_now_add field missing from a row
        gets `now`. No model instances are made, no signals sent. On PostgreSQL the ids
        are drawn from the sequence first and the rows are written with COPY; elsewhere
        they go through bulk_create.
        """
        if not rows:
            return []
        fields = model._meta.concrete_fields
        pk_name = model._meta.pk.attname
        if connection.vendor != "postgresql":
            given = [
                field
                for field in fields
                if getattr(field, "auto_now_add", False) and field.attname in rows[0]
            ]
            objects = [
                model(**{k: v.value if isinstance(v, RawValue) else v for k, v in row.items()})
                for row in rows
            ]
            with historical_timestamps(*given):
                created = model.objects.bulk_create(objects)
            return [obj.pk for obj in created]
        db = connections[connection.alias]  # the wrapper itself, not the per-call proxy
        opts = model._meta
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        # How each column gets its value: from the row, else its default or `now`; plain
        # columns go to COPY as they are (psycopg adapts them exactly as the field would),
        # the others (JSON, decimals, countries...) are prepared by their field.
        columns = []
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                fallback = lambda now=now: now  # noqa: E731
            else:
                fallback = field.get_default  # what a new instance would hold
            plain = type(field) in PLAIN_FIELD_TYPES
            columns.append((field, field.attname, fallback, plain))
        values = []
        for row, pk in zip(rows, ids, strict=True):
            row[pk_name] = pk
            line = []
            for field, name, fallback, plain in columns:
                value = row[name] if name in row else fallback()
                if isinstance(value, RawValue):
                    value = value.value
                elif not plain:
                    value = field.get_db_prep_save(value, db)
                line.append(value)
            values.append(tuple(line))
        self._insert(model, tuple(field.column for field in fields), values)
        return ids

    def _insert(self, model, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Insert plain rows: COPY on PostgreSQL (several times faster than INSERT), else
        executemany."""
        if not rows:
            return
        quote = connection.ops.quote_name
        if connection.vendor == "postgresql":
            sql = "COPY {} ({}) FROM STDIN".format(
                quote(model._meta.db_table), ", ".join(quote(column) for column in columns)
            )
            with connection.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # Table and column names come from the models, values are parameters.
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  # nosec B608
            quote(model._meta.db_table),
            ", ".join(quote(column) for column in columns),
            ", ".join(["%s"] * len(columns)),
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def _when(self, value):
        return connection.ops.adapt_datetimefield_value(value)

    def _exams(self, application, person) -> list[tuple]:
        rng = self.rng
        results = []
        if person["level"] == "master":
            results.append(("kt", "Иностранный язык и профиль", rng.randrange(50, 150), 150))
        elif person["citizenship"] == "KZ":
            results.append(
                ("unt", "Қазақстан тарихы, математика, профиль", rng.randrange(50, 141), 140)
            )
        elif person["citizenship"] == "RU":
            for subject in rng.sample(["Русский язык", "Обществознание", "История"], k=2):
                results.append(("ege", subject, rng.randrange(40, 101), 100))
        else:
            results.append(("entrance", "Entrance test", rng.randrange(40, 101), 100))
        if person.get("needs_language_certificate") or rng.random() < 0.15:
            score = Decimal(rng.choice(["5.5", "6.0", "6.5", "7.0", "7.5", "8.0"]))
            results.append(("ielts", "English", score, Decimal("9")))
        taken = (person["submitted_at"] or timezone.now()).date()
        return [
            (
                application.pk,
                exam,
                subject,
                Decimal(score),
                Decimal(maximum),
                taken - timedelta(days=rng.randrange(30, 200)),
            )
            for exam, subject, score, maximum in results
        ]

    def _events(self, application, person) -> list[tuple]:
        path = lifecycle.path_to(person["status"])
        events, previous = [], S.DRAFT
        when = person["submitted_at"]
        for status in path:
            if status != S.SUBMITTED:
                when = when + timedelta(
                    days=self.rng.randrange(1, 15), hours=self.rng.randrange(24)
                )
            note = ""
            if status == S.DOCUMENTS_REQUESTED:
                note = application.documents_request_message
            elif status == S.REJECTED:
                note = application.decision_note
            events.append(
                (
                    application.pk,
                    previous,
                    status,
                    person["user_id"] if lifecycle.spec(status).by_applicant else None,
                    note,
                    "",
                    self._when(when),
                )
            )
            previous = status
        return events

    def _documents(self, application, person, done: set[str]) -> list[tuple]:
        rng = self.rng
        status = person["status"]
        if status in lifecycle.statuses_in(lifecycle.Group.EDITABLE):
            kinds = ["identity", "education", "photo"][
                : rng.randrange(0, 4) if "motivation" in done else 0
            ]
        else:
            kinds = ["identity", "education", "photo"]
            if person["level"] == "master":
                kinds.append("transcript")
            if person.get("needs_language_certificate"):
                kinds.append("language_certificate")
        # The purge deletes the files of these, so they get their own copies.
        own = status in lifecycle.statuses_in(lifecycle.Group.PURGEABLE)
        reviewed = S.UNDER_REVIEW in lifecycle.path_to(status)
        uploaded = (person["submitted_at"] or timezone.now()) - timedelta(
            hours=rng.randrange(1, 96)
        )
        rejected_kind = rng.choice(kinds) if status == S.DOCUMENTS_REQUESTED and kinds else None
        documents = []
        for kind in kinds:
            name, size, sha, content_type = (
                self._own_file(application.pk, kind) if own else self.shared_files[kind]
            )
            verdict = "verified" if reviewed else "pending"
            if kind == rejected_kind:
                verdict = "rejected"
            documents.append(
                (
                    application.pk,
                    kind,
                    name,
                    f"{kind}.{'png' if content_type == 'image/png' else 'pdf'}",
                    size,
                    sha,
                    content_type,
                    verdict,
                    application.documents_request_message if verdict == "rejected" else "",
                    self._when(uploaded),
                    self._when(uploaded + timedelta(days=2)) if reviewed else None,
                )
            )
        return documents
