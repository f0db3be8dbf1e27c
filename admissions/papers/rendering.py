"""HTML to PDF with WeasyPrint, using only the fonts bundled in `static/fonts/`.

The papers are printed in Kazakh, Russian or English; DejaVu Sans covers the Kazakh letters
(ә ғ қ ң ө ұ ү һ і) as well as Cyrillic and Latin. The fonts ship with the project, so a
server without them installed still prints every letter. The fetcher lets WeasyPrint read
those font files and nothing else: applicants' text is escaped by the template engine, and
even so the renderer never opens a URL or a file it was not meant to (no SSRF, no local file
disclosure through a crafted `src`).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

__all__ = ["PAPER_FONT_FAMILY", "absolute_url", "font_files", "pdf_render"]

PAPER_FONT_FAMILY = "KZO Paper Sans"
FONT_FILES = {"normal": "fonts/DejaVuSans.ttf", "bold": "fonts/DejaVuSans-Bold.ttf"}


def font_files() -> dict[str, Path]:
    """The bundled font files by weight ({"normal": Path, "bold": Path}). Raises
    ImproperlyConfigured-like FileNotFoundError when a file is missing from static/."""
    found = {}
    for weight, name in FONT_FILES.items():
        path = finders.find(name)
        if not path:
            raise FileNotFoundError(f"Bundled font {name} is missing from the static files")
        found[weight] = Path(path).resolve()
    return found


def _font_face_css(fonts: dict[str, Path]) -> str:
    return "\n".join(
        f'@font-face {{ font-family: "{PAPER_FONT_FAMILY}"; font-weight: {weight}; '
        f'src: url("{path.as_uri()}"); }}'
        for weight, path in fonts.items()
    )


def _fetcher(allowed: set[str]):
    from weasyprint.urls import URLFetcher

    class BundledFontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in allowed:
                raise ValueError(f"Papers load only the bundled fonts, not {url}")
            return super().fetch(url, headers)

    return BundledFontsOnly(allowed_protocols=("file",))


def absolute_url(path: str) -> str:
    """`path` on the public site address (`SITE_URL`), as printed on a paper."""
    return settings.SITE_URL.rstrip("/") + path


def pdf_render(*, template: str, context: dict, language: str) -> bytes:
    """Render the Django template `template` with `context` in `language` (kk, ru, en) and
    return the PDF bytes. One WeasyPrint render (about 0.1-0.3 s for a two-page paper).
    Raises OSError when Pango is not installed (see the Makefile's system-packages)."""
    # Imported here: WeasyPrint loads Pango when imported, which only the papers need.
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = font_files()
    with translation.override(language):
        html = render_to_string(
            template,
            {**context, "font_face_css": _font_face_css(fonts), "font_family": PAPER_FONT_FAMILY},
        )
    document = HTML(
        string=html, base_url=None, url_fetcher=_fetcher({p.as_uri() for p in fonts.values()})
    )
    return document.write_pdf(font_config=FontConfiguration())
