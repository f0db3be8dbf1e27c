"""Calendar feed secrets for applicants and the hash chain of published rankings.

Three steps so that existing rows get their own values: add the columns (nullable / empty),
fill them in (0007), then make the secret unique (0008).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("admissions", "0005_personal_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="applicantprofile",
            name="calendar_token",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="calendar feed secret"
            ),
        ),
        migrations.AddField(
            model_name="rankingsnapshot",
            name="content_sha256",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="SHA-256 of the content"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="rankingsnapshot",
            name="previous_sha256",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=64,
                verbose_name="SHA-256 of the previous list",
            ),
        ),
    ]
