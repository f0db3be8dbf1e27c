"""The libraries' messages a user meets are translated into Kazakh (Django's own kk
catalogue, the project's, or locale/libraries), so a kk page never falls back to the
Russian LANGUAGE_CODE; and the project's sources build no translated text at import."""

from __future__ import annotations

import ast
import glob
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.i18n.language_check import SITE_PACKAGES

BASE = Path(settings.BASE_DIR)
# (catalogue folder, domain, which messages: a predicate on the entry's source files)
LIBRARIES = [
    ("django/conf/locale", "django", None),
    ("django/contrib/admin/locale", "django", None),
    ("django/contrib/admin/locale", "djangojs", None),
    ("django/contrib/auth/locale", "django", None),
    ("django/contrib/contenttypes/locale", "django", None),
    ("axes/locale", "django", None),
    ("django_celery_beat/locale", "django", None),
    ("import_export/locale", "django", None),
    ("phonenumber_field/locale", "django", None),
    # allauth: the account and two-factor pages and mails (no social accounts or sessions).
    (
        "allauth/locale",
        "django",
        lambda sources: any(
            (
                s.startswith(("account/", "mfa/"))
                or any(f"templates/{part}/" in s for part in ("account", "allauth", "mfa"))
            )
            and not any(
                part in s for part in ("socialaccount", "idp/", "usersessions", "headless")
            )
            for s in sources
        ),
    ),
]


def _translated(paths) -> set[tuple[str | None, str]]:
    keys = set()
    for path in paths:
        try:
            catalogue = polib.pofile(str(path))
        except OSError:
            continue
        keys |= {(e.msgctxt or None, e.msgid) for e in catalogue if e.translated()}
    return keys


@pytest.mark.parametrize(("folder", "domain", "which"), LIBRARIES, ids=lambda v: str(v)[:40])
def test_every_library_message_has_a_kazakh_translation(folder, domain, which):
    russian = polib.pofile(str(SITE_PACKAGES / folder / "ru" / "LC_MESSAGES" / f"{domain}.po"))
    kazakh = _translated(
        [SITE_PACKAGES / folder / "kk" / "LC_MESSAGES" / f"{domain}.po"]
        + [Path(p) / "kk" / "LC_MESSAGES" / f"{domain}.po" for p in settings.LOCALE_PATHS]
    )
    missing = [
        entry.msgid
        for entry in russian
        if entry.translated()
        and (which is None or which([source for source, _line in entry.occurrences]))
        and (entry.msgctxt or None, entry.msgid) not in kazakh
    ]
    assert not missing, f"{len(missing)} without Kazakh: {missing[:10]}"


def test_library_catalogues_are_compiled():
    for po in glob.glob(str(BASE / "locale" / "libraries" / "*" / "LC_MESSAGES" / "*.po")):
        compiled = polib.mofile(po.removesuffix(".po") + ".mo")
        assert {e.msgid for e in compiled} >= {e.msgid for e in polib.pofile(po) if e.translated()}


def _frozen_translations(path: Path) -> list[int]:
    """Lines where a lazy translation is interpolated outside any function (at import)."""
    tree = ast.parse(path.read_text())
    lazy = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name.endswith("_lazy")
    }
    lines = []

    def visit(node, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if not in_function and isinstance(child, ast.BinOp):
                left = child.left
                if (
                    isinstance(left, ast.Call)
                    and isinstance(left.func, ast.Name)
                    and left.func.id in lazy
                ):
                    lines.append(child.lineno)
            visit(child, inside)

    visit(tree, False)
    return lines


def test_no_translated_text_is_frozen_at_import_time():
    # `gettext_lazy("... %(n)s") % values` (or `+ "..."`) outside a function becomes a
    # plain string in the default language when the module is imported.
    frozen = {
        str(path.relative_to(BASE)): lines
        for folder in ("admissions", "programs", "config")
        for path in (BASE / folder).rglob("*.py")
        if "migrations" not in path.parts and (lines := _frozen_translations(path))
    }
    assert not frozen
