"""Load the catalogue the portal starts with. Safe to run any number of times.

Every row is looked up by its natural key (language code, field and program slug, cycle code,
fund government) and only written when its values differ, so a second run changes nothing.
The numbers here are data: staff edit them in the admin afterwards.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.utils import timezone, translation

from admissions.models import RubricCriterion
from admissions.seed_defaults import next_steps_default_create, office_default_create
from programs import selectors
from programs.enums import Level
from programs.models import (
    AdmissionCycle,
    Exam,
    Field,
    Language,
    Offering,
    OfferingExam,
    Program,
    ScholarshipFund,
)

OMSK = ZoneInfo("Asia/Omsk")

LANGUAGES = [
    # code, position, names in kk / ru / en
    ("kk", 1, {"kk": "Қазақ тілі", "ru": "Казахский", "en": "Kazakh"}),
    ("ru", 2, {"kk": "Орыс тілі", "ru": "Русский", "en": "Russian"}),
    ("en", 3, {"kk": "Ағылшын тілі", "ru": "Английский", "en": "English"}),
]

FIELDS = [
    (
        "international-law",
        1,
        {"kk": "Халықаралық құқық", "ru": "Международное право", "en": "International Law"},
    ),
    (
        "kazakh-philology",
        2,
        {"kk": "Қазақ филологиясы", "ru": "Казахская филология", "en": "Kazakh Philology"},
    ),
    ("customs", 3, {"kk": "Кеден ісі", "ru": "Таможенное дело", "en": "Customs"}),
]

# Languages of instruction: International Law is taught in all three languages (its
# sources and partners are international); Kazakh Philology in Kazakh with Russian-taught
# general courses; Customs mainly in Russian, the working language of the Eurasian customs
# union's codes, with a Kazakh stream.
PROGRAM_LANGUAGES = {
    "international-law": ["kk", "ru", "en"],
    "kazakh-philology": ["kk", "ru"],
    "customs": ["ru", "kk"],
}

DURATION_YEARS = {Level.BACHELOR: Decimal("4"), Level.MASTER: Decimal("2")}

DESCRIPTIONS = {
    ("international-law", Level.BACHELOR): {
        "kk": (
            "Бакалавриат бағдарламасы халықаралық жария және жеке құқықтың негіздерін, "
            "халықаралық шарттар құқығын, адам құқықтарын халықаралық қорғауды және "
            "халықаралық ұйымдардың қызметін оқытады. Студенттер Қазақстан мен Ресейдің "
            "құқықтық жүйелерін салыстыра отырып, құжаттарды талдауды, құқықтық қорытынды "
            "жазуды және келіссөздер жүргізуді үйренеді. Түлектер мемлекеттік органдарда, "
            "халықаралық компанияларда және заң фирмаларында жұмыс істейді."
        ),
        "ru": (
            "Программа бакалавриата знакомит с основами международного публичного и частного "
            "права, правом международных договоров, международной защитой прав человека и "
            "деятельностью международных организаций. Студенты сравнивают правовые системы "
            "Казахстана и России, учатся анализировать документы, готовить правовые "
            "заключения и вести переговоры. Выпускники работают в государственных органах, "
            "международных компаниях и юридических фирмах."
        ),
        "en": (
            "The bachelor's program covers public and private international law, the law of "
            "treaties, the international protection of human rights and the work of "
            "international organisations. Students compare the legal systems of Kazakhstan "
            "and Russia and learn to analyse documents, draft legal opinions and negotiate. "
            "Graduates work in public bodies, international companies and law firms."
        ),
    },
    ("international-law", Level.MASTER): {
        "kk": (
            "Магистратура бағдарламасы Еуразиялық экономикалық одақ құқығына, халықаралық "
            "сауда және инвестициялық дауларды шешуге және халықаралық арбитражға арналған. "
            "Магистранттар өз ғылыми зерттеуін жүргізіп, магистрлік диссертация қорғайды. "
            "Бағдарлама заң саласында білімі бар және халықаралық деңгейде мансап құрғысы "
            "келетін мамандарға арналған."
        ),
        "ru": (
            "Магистерская программа посвящена праву Евразийского экономического союза, "
            "разрешению международных торговых и инвестиционных споров и международному "
            "арбитражу. Магистранты ведут собственное научное исследование и защищают "
            "магистерскую диссертацию. Программа рассчитана на юристов, которые строят "
            "карьеру на международном уровне."
        ),
        "en": (
            "The master's program focuses on the law of the Eurasian Economic Union, the "
            "settlement of international trade and investment disputes, and international "
            "arbitration. Students carry out their own research and defend a master's thesis. "
            "It is designed for law graduates building an international career."
        ),
    },
    ("kazakh-philology", Level.BACHELOR): {
        "kk": (
            "Бағдарлама қазақ тілінің фонетикасын, грамматикасы мен лексикасын, қазақ "
            "әдебиетінің тарихын және ауыз әдебиетін терең оқытады. Студенттер мәтінді "
            "лингвистикалық талдауды, аударма мен редакциялауды үйренеді, Абай мен Мұхтар "
            "Әуезовтің шығармашылығымен танысады. Түлектер мектептерде, баспаларда, бұқаралық "
            "ақпарат құралдарында және мәдениет мекемелерінде жұмыс істейді."
        ),
        "ru": (
            "Программа даёт глубокие знания фонетики, грамматики и лексики казахского языка, "
            "истории казахской литературы и устного народного творчества. Студенты учатся "
            "лингвистическому анализу текста, переводу и редактированию, изучают творчество "
            "Абая и Мухтара Ауэзова. Выпускники работают в школах, издательствах, СМИ и "
            "учреждениях культуры."
        ),
        "en": (
            "The program gives a thorough grounding in the phonetics, grammar and vocabulary "
            "of the Kazakh language, the history of Kazakh literature and its oral tradition. "
            "Students learn linguistic text analysis, translation and editing, and study the "
            "works of Abai and Mukhtar Auezov. Graduates work in schools, publishing houses, "
            "the media and cultural institutions."
        ),
    },
    ("kazakh-philology", Level.MASTER): {
        "kk": (
            "Магистратура бағдарламасы қазақ тіл білімі мен әдебиеттану саласындағы зерттеу "
            "әдістеріне, салғастырмалы тіл біліміне және қазақ-орыс аудармасының теориясына "
            "арналған. Магистранттар ғылыми жетекшімен бірге зерттеу жүргізіп, нәтижелерін "
            "ғылыми журналдарда жариялайды. Түлектер жоғары оқу орындарында оқытушы, ғылыми "
            "қызметкер немесе аудармашы болып жұмыс істейді."
        ),
        "ru": (
            "Магистерская программа посвящена методам исследования в казахском языкознании и "
            "литературоведении, сопоставительной лингвистике и теории казахско-русского "
            "перевода. Магистранты ведут исследование вместе с научным руководителем и "
            "публикуют результаты в научных журналах. Выпускники становятся преподавателями "
            "вузов, научными сотрудниками или переводчиками."
        ),
        "en": (
            "The master's program covers research methods in Kazakh linguistics and literary "
            "studies, contrastive linguistics and the theory of Kazakh–Russian translation. "
            "Students conduct research with a supervisor and publish their results in "
            "academic journals. Graduates teach at universities or work as researchers and "
            "translators."
        ),
    },
    ("customs", Level.BACHELOR): {
        "kk": (
            "Бағдарлама кедендік ресімдеу мен бақылауды, тауарларды сыныптауды және кедендік "
            "құнды анықтауды, кеден төлемдерін және сыртқы экономикалық қызметті реттеуді "
            "оқытады. Еуразиялық экономикалық одақтың ортақ кеден аумағына және "
            "Қазақстан–Ресей шекарасындағы тәжірибеге ерекше назар аударылады. Түлектер "
            "кеден органдарында, логистикалық компанияларда және кеден өкілі ретінде жұмыс "
            "істейді."
        ),
        "ru": (
            "Программа изучает таможенное оформление и контроль, классификацию товаров и "
            "определение таможенной стоимости, таможенные платежи и регулирование "
            "внешнеэкономической деятельности. Особое внимание уделено единой таможенной "
            "территории Евразийского экономического союза и практике на казахстанско-"
            "российской границе. Выпускники работают в таможенных органах, логистических "
            "компаниях и таможенными представителями."
        ),
        "en": (
            "The program covers customs clearance and control, the classification of goods "
            "and customs valuation, customs duties and the regulation of foreign trade. It "
            "pays particular attention to the common customs territory of the Eurasian "
            "Economic Union and to practice at the Kazakhstan–Russia border. Graduates work "
            "in customs authorities, logistics companies and as customs representatives."
        ),
    },
    ("customs", Level.MASTER): {
        "kk": (
            "Магистратура бағдарламасы кедендік әкімшілендіруді, тәуекелдерді басқару "
            "жүйесін, кедендік аудитті және сыртқы сауданы цифрландыруды тереңдетіп "
            "оқытады. Магистранттар кеден саясатының өзекті мәселелерін зерттеп, магистрлік "
            "диссертация қорғайды. Бағдарлама кеден органдары мен сыртқы экономикалық "
            "қызметке қатысушылар үшін басшы мамандар даярлайды."
        ),
        "ru": (
            "Магистерская программа углублённо изучает таможенное администрирование, "
            "систему управления рисками, таможенный аудит и цифровизацию внешней торговли. "
            "Магистранты исследуют актуальные вопросы таможенной политики и защищают "
            "магистерскую диссертацию. Программа готовит руководителей для таможенных "
            "органов и участников внешнеэкономической деятельности."
        ),
        "en": (
            "The master's program offers advanced study of customs administration, risk "
            "management, post-clearance audit and the digitalisation of foreign trade. "
            "Students research current questions of customs policy and defend a master's "
            "thesis. It prepares managers for customs authorities and for companies engaged "
            "in foreign trade."
        ),
    },
}

# Seats per offering: (funded seats, scholarship seats, pass mark, paid places). The
# scholarship seats of all offerings add up to 210, a little over the 200 funded, so that
# no fund is left unused when one program draws fewer strong applicants.
OFFERING_FIGURES = {
    Level.BACHELOR: (50, 45, Decimal("50"), 25),
    Level.MASTER: (30, 25, Decimal("60"), 15),
}

# Entrance exams and their own scales: code, position, maximum score, names in kk/ru/en.
EXAMS = [
    (
        "unt",
        1,
        Decimal("140"),
        {
            "kk": "ҰБТ (ұлттық бірыңғай тестілеу)",
            "ru": "ЕНТ (единое национальное тестирование)",
            "en": "UNT (Unified National Testing)",
        },
    ),
    (
        "ege",
        2,
        Decimal("300"),
        {
            "kk": "БМЕ (бірыңғай мемлекеттік емтихан, үш пән)",
            "ru": "ЕГЭ (единый государственный экзамен, три предмета)",
            "en": "EGE (Unified State Exam, three subjects)",
        },
    ),
    (
        "kt",
        3,
        Decimal("150"),
        {
            "kk": "КТ (магистратураға кешенді тестілеу)",
            "ru": "КТ (комплексное тестирование в магистратуру)",
            "en": "CT (comprehensive testing for master's programs)",
        },
    ),
]
# The exams each level accepts, with the minimum score on the exam's own scale.
LEVEL_EXAMS = {
    Level.BACHELOR: [("unt", Decimal("65")), ("ege", Decimal("120"))],
    Level.MASTER: [("kt", Decimal("75"))],
}

SCHOLARSHIP_TOTAL = 200
FUNDS = [
    # The Kazakh state grant is paid from Kazakhstan's budget to its own citizens.
    (
        "KZ",
        1,
        100,
        ["KZ"],
        {
            "kk": "Қазақстан Республикасының Үкіметі",
            "ru": "Правительство Республики Казахстан",
            "en": "Government of the Republic of Kazakhstan",
        },
    ),
    # Russian state-funded places are open to Russian citizens and, under the 1999 agreement
    # on equal rights of citizens to education (Russia, Belarus, Kazakhstan, Kyrgyzstan,
    # Tajikistan), to the citizens of the other parties on the same terms.
    (
        "RU",
        2,
        100,
        ["RU", "BY", "KZ", "KG", "TJ"],
        {
            "kk": "Ресей Федерациясының Үкіметі",
            "ru": "Правительство Российской Федерации",
            "en": "Government of the Russian Federation",
        },
    ),
]

RUBRIC = [
    # names and one-sentence descriptions in kk / ru / en, weight, max score
    (
        {"kk": "Мотивация", "ru": "Мотивация", "en": "Motivation"},
        {
            "kk": (
                "Неліктен дәл осы филиалдағы осы бағдарлама таңдалды; мотивациялық хаттың "
                "айқындығы мен шынайылығы."
            ),
            "ru": (
                "Почему выбрана именно эта программа в этом филиале; ясность и искренность "
                "мотивационного письма."
            ),
            "en": "Why this program, at this branch; clarity and sincerity of the statement.",
        },
        Decimal("0.40"),
        10,
    ),
    (
        {"kk": "Академиялық үлгерім", "ru": "Академическая успеваемость", "en": "Academic record"},
        {
            "kk": "Бағдарламаға қатысты алдыңғы білім бойынша бағалар мен жетістіктер.",
            "ru": "Оценки и достижения в предыдущем обучении, значимые для программы.",
            "en": "Grades and achievements of the prior education, relevant to the program.",
        },
        Decimal("0.40"),
        10,
    ),
    (
        {"kk": "Тілді меңгеру", "ru": "Владение языком", "en": "Language proficiency"},
        {
            "kk": "Таңдалған оқыту тілін меңгеру деңгейі.",
            "ru": "Уровень владения выбранным языком обучения.",
            "en": "Command of the chosen language of instruction.",
        },
        Decimal("0.20"),
        10,
    ),
]

FIRST_CYCLE = {
    "code": "2025",
    "opens_at": datetime(2025, 9, 1, 0, 0, tzinfo=OMSK),
    "closes_at": datetime(2026, 7, 25, 18, 0, tzinfo=OMSK),
    "results_at": datetime(2026, 8, 10, 12, 0, tzinfo=OMSK),
}
NEXT_CYCLE_OPEN_DAYS = 90
NEXT_CYCLE_RESULTS_AFTER_DAYS = 16


def cycle_names(code: str) -> dict[str, str]:
    return {
        "name_kk": f"{code} жылғы қабылдау",
        "name_ru": f"Приём {code}",
        "name_en": f"Admission {code}",
    }


def translated(prefix: str, values: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}_{code}": text for code, text in values.items()}


class Command(BaseCommand):
    help = "Load languages, fields, the 6 programs, cycle 2025 and the next open cycle."

    def handle(self, *args: Any, **options: Any) -> None:
        self.changes = 0
        # Untranslated attribute names (title, name) resolve to the active language under
        # modeltranslation; pin it to the default so that comparisons are stable.
        with (
            translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE),
            transaction.atomic(),
        ):
            languages = self.seed_languages()
            programs = self.seed_programs(languages)
            self.exams = self.seed_exams()
            first = self.seed_cycle(FIRST_CYCLE["code"], FIRST_CYCLE, programs)
            self.seed_next_cycle(after=first, programs=programs)
            if office_default_create() is not None:
                self.report("admissions office", "created")
        verdict = f"{self.changes} change(s)" if self.changes else "nothing to change"
        self.stdout.write(self.style.SUCCESS(f"Seed complete: {verdict}."))

    # --- helpers -------------------------------------------------------------------------
    def upsert(
        self, model: type[models.Model], label: str, lookup: dict, values: dict
    ) -> models.Model:
        """Create the row, or update only the values that differ, and say which."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model.objects.create(**lookup, **values)
            self.report(label, "created")
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save()
            self.report(label, f"updated ({', '.join(changed)})")
        else:
            self.report(label, "unchanged", quiet=True)
        return obj

    def report(self, label: str, what: str, quiet: bool = False) -> None:
        if not quiet:
            self.changes += 1
        style = self.style.NOTICE if quiet else self.style.SUCCESS
        self.stdout.write(f"  {label}: " + style(what))

    # --- catalogue -----------------------------------------------------------------------
    def seed_languages(self) -> dict[str, Language]:
        self.stdout.write("Languages")
        return {
            code: self.upsert(
                Language,
                f"language {code}",
                {"code": code},
                {"position": position, "name": names["ru"], **translated("name", names)},
            )
            for code, position, names in LANGUAGES
        }

    def seed_programs(self, languages: dict[str, Language]) -> list[Program]:
        self.stdout.write("Fields and programs")
        programs = []
        for field_slug, field_position, names in FIELDS:
            field = self.upsert(
                Field,
                f"field {field_slug}",
                {"slug": field_slug},
                {"position": field_position, "name": names["ru"], **translated("name", names)},
            )
            for level_position, level in enumerate((Level.BACHELOR, Level.MASTER)):
                slug = f"{field_slug}-{level}"
                descriptions = DESCRIPTIONS[(field_slug, level)]
                program = self.upsert(
                    Program,
                    f"program {slug}",
                    {"slug": slug},
                    {
                        "field": field,
                        "level": level,
                        "title": names["ru"],
                        **translated("title", names),
                        "description": descriptions["ru"],
                        **translated("description", descriptions),
                        "duration_years": DURATION_YEARS[level],
                        "is_dual_degree": False,
                        "position": field_position * 10 + level_position,
                    },
                )
                wanted = [languages[code] for code in PROGRAM_LANGUAGES[field_slug]]
                if set(program.languages.all()) != set(wanted):
                    program.languages.set(wanted)
                    self.report(f"program {slug} languages", "set")
                programs.append(program)
        return programs

    def seed_exams(self) -> dict[str, Exam]:
        self.stdout.write("Entrance exams")
        return {
            code: self.upsert(
                Exam,
                f"exam {code}",
                {"code": code},
                {
                    "position": position,
                    "max_score": max_score,
                    "name": names["ru"],
                    **translated("name", names),
                },
            )
            for code, position, max_score, names in EXAMS
        }

    # --- cycles --------------------------------------------------------------------------
    def seed_cycle(self, code: str, dates: dict, programs: list[Program]) -> AdmissionCycle:
        self.stdout.write(f"Cycle {code}")
        cycle = self.upsert(
            AdmissionCycle,
            f"cycle {code}",
            {"code": code},
            {
                "name": cycle_names(code)["name_ru"],
                **cycle_names(code),
                "opens_at": dates["opens_at"],
                "closes_at": dates["closes_at"],
                "results_at": dates["results_at"],
                "offer_response_days": 7,
                "scholarship_total": SCHOLARSHIP_TOTAL,
            },
        )
        self.seed_cycle_contents(cycle, programs)
        return cycle

    def seed_cycle_contents(self, cycle: AdmissionCycle, programs: list[Program]) -> None:
        for government, position, seats, citizenships, names in FUNDS:
            fund = self.upsert(
                ScholarshipFund,
                f"cycle {cycle.code} fund {government}",
                {"cycle": cycle, "government": government},
                {
                    "name": names["ru"],
                    **translated("name", names),
                    "seats": seats,
                    "position": position,
                },
            )
            if sorted(c.code for c in fund.eligible_citizenships) != sorted(citizenships):
                fund.eligible_citizenships = citizenships
                fund.save(update_fields=["eligible_citizenships"])
                self.report(f"cycle {cycle.code} fund {government} eligibility", "set")
        for program in programs:
            seats, scholarship_seats, pass_mark, paid_seats = OFFERING_FIGURES[program.level]
            offering = self.upsert(
                Offering,
                f"cycle {cycle.code} offering {program.slug}",
                {"cycle": cycle, "program": program},
                {
                    "seats": seats,
                    "scholarship_seats": scholarship_seats,
                    "paid_seats": paid_seats,
                    "pass_mark": pass_mark,
                },
            )
            for position, (code, minimum) in enumerate(LEVEL_EXAMS[program.level], 1):
                self.upsert(
                    OfferingExam,
                    f"cycle {cycle.code} offering {program.slug} exam {code}",
                    {"offering": offering, "exam": self.exams[code]},
                    {"minimum_score": minimum, "position": position},
                )
        created = next_steps_default_create(cycle=cycle)
        if created:
            self.report(f"cycle {cycle.code} next steps", f"{created} created")
        else:
            self.report(f"cycle {cycle.code} next steps", "already defined", quiet=True)
        if cycle.rubric.exists():
            self.report(f"cycle {cycle.code} rubric", "already defined", quiet=True)
        else:
            RubricCriterion.objects.bulk_create(
                RubricCriterion(
                    cycle=cycle,
                    name=names["ru"],
                    description=descriptions["ru"],
                    **translated("name", names),
                    **translated("description", descriptions),
                    weight=weight,
                    max_score=max_score,
                    position=position,
                )
                for position, (names, descriptions, weight, max_score) in enumerate(RUBRIC, 1)
            )
            self.report(f"cycle {cycle.code} rubric", f"{len(RUBRIC)} criteria created")

    def seed_next_cycle(self, *, after: AdmissionCycle, programs: list[Program]) -> None:
        """Open a cycle today so that a fresh set-up can be used end to end."""
        open_cycle = selectors.cycle_get_open()
        if open_cycle is not None:
            self.stdout.write(f"Next cycle: cycle {open_cycle.code} is open, none created")
            return
        last_code = max(
            (
                int(code)
                for code in AdmissionCycle.objects.values_list("code", flat=True)
                if code.isdigit()
            ),
            default=int(after.code),
        )
        code = str(last_code + 1)
        today = timezone.localdate()
        opens_at = datetime.combine(today, time(0, 0), tzinfo=OMSK)
        closes_at = datetime.combine(
            today + timedelta(days=NEXT_CYCLE_OPEN_DAYS), time(18, 0), tzinfo=OMSK
        )
        results_at = closes_at + timedelta(days=NEXT_CYCLE_RESULTS_AFTER_DAYS)
        self.seed_cycle(
            code,
            {"opens_at": opens_at, "closes_at": closes_at, "results_at": results_at},
            programs,
        )
