"""Every interface string is translated into Kazakh and Russian, and the compiled
catalogues ship with the code (a fresh clone serves translated pages without gettext)."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_catalogue_is_complete_and_compiled(language):
    folder = LOCALE / language / "LC_MESSAGES"
    catalogue = polib.pofile(str(folder / "django.po"))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, untranslated[:10]
    assert not fuzzy, fuzzy[:10]
    compiled = polib.mofile(str(folder / "django.mo"))
    assert {entry.msgid for entry in compiled} >= {entry.msgid for entry in catalogue}


@pytest.mark.parametrize(
    ("language", "expected"),
    [("kk", "Бағдарламалар"), ("ru", "Программы"), ("en", "Programs")],
)
@pytest.mark.django_db
def test_pages_speak_the_language_of_their_prefix(client, language, expected):
    with translation.override(language):
        url = reverse("programs:list")
    response = client.get(url)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
    assert expected in response.content.decode()
