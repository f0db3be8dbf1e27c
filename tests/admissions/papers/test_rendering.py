"""The PDF renderer reads the bundled fonts and nothing else, and escapes applicants' text."""

from __future__ import annotations

import io

import pypdf
import pytest

from admissions.papers.rendering import _fetcher, font_files


def test_the_fetcher_opens_the_bundled_fonts_only(tmp_path):
    fonts = {path.as_uri() for path in font_files().values()}
    fetcher = _fetcher(fonts)
    response = fetcher(next(iter(fonts)))
    try:
        assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    finally:
        response.close()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the PDF")
    for url in (secret.as_uri(), "file:///etc/passwd", "http://169.254.169.254/latest/"):
        with pytest.raises(ValueError):
            fetcher(url)


def test_the_bundled_fonts_cover_kazakh_letters():
    from fontTools.ttLib import TTFont

    for path in font_files().values():
        cmap = TTFont(path).getBestCmap()
        assert all(ord(letter) in cmap for letter in "ӘәҒғҚқҢңӨөҰұҮүҺһІі")


@pytest.mark.django_db
def test_applicants_markup_is_printed_as_text_not_rendered(client):
    from django.urls import reverse

    from tests.admissions.papers.test_application_pdf import submitted_application

    application = submitted_application(language="en")
    application.motivation = '<img src="file:///etc/passwd"> <b>bold</b>'
    application.save(update_fields=["motivation"])
    client.force_login(application.applicant)
    response = client.get(reverse("papers:application_pdf", args=[application.pk]))
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert '<img src="file:///etc/passwd">' in text and "<b>bold</b>" in text
