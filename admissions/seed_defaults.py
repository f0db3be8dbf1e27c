"""Default data of the admissions app that `seed` (and `seed_demo`) start from: the
admissions office's contacts and the next steps after each decision, in kk, ru and en.
Staff edit both in the admin afterwards; these functions only fill what is missing.
"""

from __future__ import annotations

from admissions.enums import ApplicationStatus as S
from admissions.models import AdmissionsOffice, NextStep

__all__ = ["NEXT_STEPS", "OFFICE", "next_steps_default_create", "office_default_create"]

OFFICE = {
    "name": {
        "kk": "Әл-Фараби атындағы ҚазҰУ Омбы филиалының қабылдау комиссиясы",
        "ru": "Приёмная комиссия филиала КазНУ им. аль-Фараби в Омске",
        "en": "Admissions office, KazNU branch in Omsk",
    },
    "address": {
        "kk": "Мира даңғылы, 55а, 2-оқу ғимараты, 108-кабинет\nОмбы, 644077, Ресей",
        "ru": "пр. Мира, 55а, учебный корпус № 2, каб. 108\nОмск, 644077, Россия",
        "en": "55a Mira Avenue, teaching building 2, room 108\nOmsk 644077, Russia",
    },
    "opening_hours": {
        "kk": "Дс–Жм 9:00–18:00, Сн 10:00–14:00 (Омбы уақыты)",
        "ru": "Пн–Пт 9:00–18:00, Сб 10:00–14:00 (омское время)",
        "en": "Mon–Fri 9:00–18:00, Sat 10:00–14:00 (Omsk time)",
    },
    "phone": "+7 3812 67-04-52",
    "email": "priem@kaznu-omsk.example",
}

# status -> [(title, instructions, days after the decision or None)], texts in kk/ru/en.
NEXT_STEPS: dict[str, list[tuple[dict[str, str], dict[str, str], int | None]]] = {
    S.ACCEPTED: [
        (
            {
                "kk": "Құжаттардың түпнұсқаларын тапсырыңыз",
                "ru": "Сдайте оригиналы документов",
                "en": "Hand in your original documents",
            },
            {
                "kk": (
                    "Жеке басты куәландыратын құжатты және білім туралы құжатты (қосымшасымен) "
                    "қабылдау комиссиясына әкеліңіз. Төлқұжат бірден қайтарылады, білім туралы "
                    "құжат оқу аяқталғанша филиалда сақталады."
                ),
                "ru": (
                    "Принесите в приёмную комиссию документ, удостоверяющий личность, и "
                    "документ об образовании (с приложением). Паспорт вернём сразу, документ "
                    "об образовании хранится в филиале до окончания обучения."
                ),
                "en": (
                    "Bring your identity document and your education certificate (with its "
                    "supplement) to the admissions office. Your passport is returned at once; "
                    "the certificate stays with the branch until you graduate."
                ),
            },
            10,
        ),
        (
            {
                "kk": "Оқу шартына қол қойыңыз",
                "ru": "Подпишите договор об обучении",
                "en": "Sign the study contract",
            },
            {
                "kk": (
                    "Шартқа қабылдау комиссиясында жеке басыңызды куәландыратын құжатпен қол "
                    "қоясыз. 18 жасқа толмаған талапкер ата-анасымен немесе қамқоршысымен келеді."
                ),
                "ru": (
                    "Договор подписывается в приёмной комиссии при предъявлении документа, "
                    "удостоверяющего личность. Если вам нет 18 лет, приходите с родителем или "
                    "опекуном."
                ),
                "en": (
                    "You sign the contract at the admissions office, showing your identity "
                    "document. If you are under 18, come with a parent or guardian."
                ),
            },
            14,
        ),
        (
            {
                "kk": "Келу күнін хабарлаңыз",
                "ru": "Сообщите дату приезда",
                "en": "Tell us when you arrive",
            },
            {
                "kk": (
                    "Омбыға келу күнін және жатақхана қажет пе екенін қабылдау комиссиясына "
                    "хатпен жазыңыз: біздің кез келген хатымызға жауап беру жеткілікті."
                ),
                "ru": (
                    "Напишите приёмной комиссии дату приезда в Омск и нужно ли вам общежитие: "
                    "достаточно ответить на любое наше письмо."
                ),
                "en": (
                    "Write to the admissions office when you arrive in Omsk and whether you "
                    "need a place in a hall of residence: a reply to any of our mails is enough."
                ),
            },
            21,
        ),
    ],
    S.ENROLLED: [
        (
            {
                "kk": "Омбыға келіп, филиалда тіркеліңіз",
                "ru": "Приезжайте в Омск и зарегистрируйтесь в филиале",
                "en": "Arrive in Omsk and register at the branch",
            },
            {
                "kk": (
                    "Келген соң қабылдау комиссиясына төлқұжатыңызбен, көші-қон картасымен және "
                    "медициналық анықтамамен (086/у нысаны) келіңіз; студенттік билет пен "
                    "жатақхана орны сонда беріледі."
                ),
                "ru": (
                    "По приезде придите в приёмную комиссию с паспортом, миграционной картой и "
                    "медицинской справкой (форма 086/у): там выдаются студенческий билет и "
                    "место в общежитии."
                ),
                "en": (
                    "When you arrive, come to the admissions office with your passport, "
                    "migration card and medical certificate (form 086/u): you receive your "
                    "student card and your place in a hall of residence there."
                ),
            },
            30,
        ),
        (
            {
                "kk": "Көші-қон есебіне тұрыңыз",
                "ru": "Встаньте на миграционный учёт",
                "en": "Register your stay with the migration authorities",
            },
            {
                "kk": (
                    "Шетел азаматтары келгеннен кейін 7 жұмыс күні ішінде (Қазақстан мен ЕАЭО "
                    "елдерінің азаматтары 30 күн ішінде) есепке тұруы керек. Филиал құжаттарды "
                    "өзі тапсырады: төлқұжатты келген күні әкеліңіз."
                ),
                "ru": (
                    "Иностранные граждане встают на учёт в течение 7 рабочих дней после "
                    "приезда (граждане Казахстана и других стран ЕАЭС — в течение 30 дней). "
                    "Документы подаёт филиал: принесите паспорт в день приезда."
                ),
                "en": (
                    "Foreign citizens must be registered within 7 working days of arrival "
                    "(citizens of Kazakhstan and other EAEU states within 30 days). The branch "
                    "files the papers: bring your passport on the day you arrive."
                ),
            },
            None,
        ),
    ],
    S.WAITLISTED: [
        (
            {
                "kk": "Құжаттарыңызды дайын ұстаңыз",
                "ru": "Держите документы наготове",
                "en": "Keep your documents ready",
            },
            {
                "kk": (
                    "Орын босаса, сізге хат жазамыз: содан кейін түпнұсқаларды тапсыруға 10 күн "
                    "беріледі."
                ),
                "ru": (
                    "Если освободится место, мы вам напишем: после этого на сдачу оригиналов "
                    "даётся 10 дней."
                ),
                "en": (
                    "If a place becomes free we write to you: you then have 10 days to hand "
                    "in your original documents."
                ),
            },
            None,
        ),
    ],
    S.REJECTED: [
        (
            {
                "kk": "Шешіммен келіспесеңіз, апелляция беріңіз",
                "ru": "Если вы не согласны с решением, подайте апелляцию",
                "en": "If you disagree with the decision, appeal",
            },
            {
                "kk": (
                    "Апелляцияны себебін көрсетіп, қабылдау комиссиясына хатпен жіберіңіз; "
                    "жауапты 5 жұмыс күні ішінде аласыз."
                ),
                "ru": (
                    "Отправьте апелляцию с указанием причины письмом в приёмную комиссию; "
                    "ответ придёт в течение 5 рабочих дней."
                ),
                "en": (
                    "Send your appeal, with its reasons, by mail to the admissions office; "
                    "you get an answer within 5 working days."
                ),
            },
            3,
        ),
    ],
}


def _translated(prefix: str, values: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}_{code}": text for code, text in values.items()}


def office_default_create() -> AdmissionsOffice | None:
    """Create the admissions office from `OFFICE` unless one exists; returns the new row or
    None when there was one already."""
    if AdmissionsOffice.objects.exists():
        return None
    return AdmissionsOffice.objects.create(
        name=OFFICE["name"]["ru"],
        address=OFFICE["address"]["ru"],
        opening_hours=OFFICE["opening_hours"]["ru"],
        **_translated("name", OFFICE["name"]),
        **_translated("address", OFFICE["address"]),
        **_translated("opening_hours", OFFICE["opening_hours"]),
        phone=OFFICE["phone"],
        email=OFFICE["email"],
    )


def next_steps_default_create(*, cycle) -> int:
    """Create the default next steps (`NEXT_STEPS`) of `cycle` (an AdmissionCycle) unless it
    has some already; returns how many were created."""
    if NextStep.objects.filter(cycle=cycle).exists():
        return 0
    steps = [
        NextStep(
            cycle=cycle,
            status=status,
            position=position,
            title=titles["ru"],
            instructions=instructions["ru"],
            **_translated("title", titles),
            **_translated("instructions", instructions),
            due_days=days,
        )
        for status, declared in NEXT_STEPS.items()
        for position, (titles, instructions, days) in enumerate(declared, 1)
    ]
    NextStep.objects.bulk_create(steps)
    return len(steps)
