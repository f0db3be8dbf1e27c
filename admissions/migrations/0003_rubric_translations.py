"""Rubric criteria become translatable (name and description in kk/ru/en, modeltranslation).

Existing criteria hold one (English) text in `name` / `description`. The data step fills the new
columns so that no row is empty in any language: the default rubric that `manage.py seed`
wrote gets its real Kazakh, Russian and English texts; any other criterion gets its existing
text copied into every language, for an officer to translate in the admin's tabs.
"""

from django.db import migrations, models

LANGUAGES = ("kk", "ru", "en")

# The default rubric of `manage.py seed` (English before this migration) with its translations,
# frozen here: later edits to the seed command must not change what this migration does.
DEFAULT_RUBRIC = {
    "Motivation": {
        "name": "Motivation",
        "description": "Why this program, at this branch; clarity and sincerity of the statement.",
        "name_kk": "Мотивация",
        "name_ru": "Мотивация",
        "name_en": "Motivation",
        "description_kk": (
            "Неліктен дәл осы филиалдағы осы бағдарлама таңдалды; мотивациялық хаттың "
            "айқындығы мен шынайылығы."
        ),
        "description_ru": (
            "Почему выбрана именно эта программа в этом филиале; ясность и искренность "
            "мотивационного письма."
        ),
        "description_en": (
            "Why this program, at this branch; clarity and sincerity of the statement."
        ),
    },
    "Academic record": {
        "name": "Academic record",
        "description": "Grades and achievements of the prior education, relevant to the program.",
        "name_kk": "Академиялық үлгерім",
        "name_ru": "Академическая успеваемость",
        "name_en": "Academic record",
        "description_kk": "Бағдарламаға қатысты алдыңғы білім бойынша бағалар мен жетістіктер.",
        "description_ru": "Оценки и достижения в предыдущем обучении, значимые для программы.",
        "description_en": "Grades and achievements of the prior education, relevant to the program.",
    },
    "Language proficiency": {
        "name": "Language proficiency",
        "description": "Command of the chosen language of instruction.",
        "name_kk": "Тілді меңгеру",
        "name_ru": "Владение языком",
        "name_en": "Language proficiency",
        "description_kk": "Таңдалған оқыту тілін меңгеру деңгейі.",
        "description_ru": "Уровень владения выбранным языком обучения.",
        "description_en": "Command of the chosen language of instruction.",
    },
}


def _texts(entry: dict, field: str) -> set[str]:
    return {entry[field], *(entry[f"{field}_{code}"] for code in LANGUAGES)}


# A default criterion is recognised by its name in any language: `name` holds English before
# this migration, and the default language's text (Russian) once it has been applied.
BY_NAME = {text: entry for entry in DEFAULT_RUBRIC.values() for text in _texts(entry, "name")}


def fill_translations(apps, schema_editor):
    RubricCriterion = apps.get_model("admissions", "RubricCriterion")
    for criterion in RubricCriterion.objects.all().iterator():
        known = BY_NAME.get(criterion.name)
        for code in LANGUAGES:
            if not getattr(criterion, f"name_{code}"):
                text = known[f"name_{code}"] if known else criterion.name
                setattr(criterion, f"name_{code}", text)
            if not getattr(criterion, f"description_{code}"):
                # A description an officer edited stays as written, in every language.
                if known and criterion.description in _texts(known, "description"):
                    text = known[f"description_{code}"]
                else:
                    text = criterion.description
                setattr(criterion, f"description_{code}", text)
        criterion.save(
            update_fields=[
                f"{field}_{code}" for field in ("name", "description") for code in LANGUAGES
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("admissions", "0002_verbose_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="rubriccriterion",
            name="description_en",
            field=models.TextField(blank=True, null=True, verbose_name="description"),
        ),
        migrations.AddField(
            model_name="rubriccriterion",
            name="description_kk",
            field=models.TextField(blank=True, null=True, verbose_name="description"),
        ),
        migrations.AddField(
            model_name="rubriccriterion",
            name="description_ru",
            field=models.TextField(blank=True, null=True, verbose_name="description"),
        ),
        migrations.AddField(
            model_name="rubriccriterion",
            name="name_en",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="rubriccriterion",
            name="name_kk",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="rubriccriterion",
            name="name_ru",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.RunPython(fill_translations, migrations.RunPython.noop, elidable=True),
    ]
