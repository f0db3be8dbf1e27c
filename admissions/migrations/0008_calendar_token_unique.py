import django.db.models
from django.db import migrations

import admissions.models


class Migration(migrations.Migration):
    dependencies = [
        ("admissions", "0007_fill_calendar_tokens_and_ranking_hashes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="applicantprofile",
            name="calendar_token",
            field=django.db.models.CharField(
                default=admissions.models.new_calendar_token,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="calendar feed secret",
            ),
        ),
    ]
