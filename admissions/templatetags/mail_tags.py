"""Template helpers for e-mail: local dates from ISO strings, labels of stored codes, and
absolute links.

Mail context is JSON, so dates arrive as ISO strings and states as raw codes; these turn
them into what a reader expects, in the active language (the recipient's, during render).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language

from admissions.enums import ApplicationStatus, AwardState, DocumentKind

register = template.Library()


def _format(value: dt.date, format_name: str) -> str:
    # The styles are defined once per language in config/formats/<lang>/formats.py, so a
    # date in a mail reads exactly as the same date on a page ("30 қараша 2026 ж.").
    return formats.date_format(value, format_name)


def _parse(value) -> dt.datetime | dt.date | None:
    if isinstance(value, dt.datetime | dt.date):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_datetime(value) or parse_date(value)
    except ValueError:
        return None


@register.filter
def local_datetime(value) -> str:
    """An ISO date-time (UTC or with offset) shown in Omsk local time, e.g. 15 Sept 2025,
    18:00; a date alone is shown as a date. Anything unparseable is shown as given."""
    parsed = _parse(value)
    if parsed is None:
        return value or ""
    if not isinstance(parsed, dt.datetime):
        return _format(parsed, "DATE_FORMAT")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    local = timezone.localtime(parsed, ZoneInfo(settings.TIME_ZONE))
    return _format(local, "DATETIME_FORMAT")


@register.filter
def local_date(value) -> str:
    """An ISO date or date-time shown as an Omsk calendar date."""
    parsed = _parse(value)
    if parsed is None:
        return value or ""
    if isinstance(parsed, dt.datetime):
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, dt.UTC)
        parsed = timezone.localtime(parsed, ZoneInfo(settings.TIME_ZONE)).date()
    return _format(parsed, "DATE_FORMAT")


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


@register.filter
def status_label(code) -> str:
    """The translated label of an ApplicationStatus code ("under_review" -> "Under review")."""
    return _label(ApplicationStatus, code)


@register.filter
def award_state_label(code) -> str:
    return _label(AwardState, code)


@register.filter
def document_kind_label(code) -> str:
    return _label(DocumentKind, code)


@register.simple_tag
def absolute_url(view_name: str, *args) -> str:
    """An absolute link (SITE_URL + path) in the active language, e.g.
    {% absolute_url "admissions:dashboard" %} -> https://example.org/kk/applicant/dashboard/."""
    try:
        path = reverse(view_name, args=args or None)
    except NoReverseMatch:
        path = f"/{get_language()}/"
    return settings.SITE_URL.rstrip("/") + path
