"""Every page a visitor, an applicant or a staff member can reach, listed from the URL
configuration: a new URL is checked without anyone adding it here. A URL with arguments
needs a way to fill them (`ARGUMENTS`, or the admin's object ids), else the listing fails
and says which URL needs one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.apps import apps
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from admissions.applications.steps import STEPS
from admissions.papers.verification import PaperKind, paper_token_issue
from tests.i18n.world import World, any_object

STEP_SLUGS = [step.slug for step in STEPS]

# Not pages: file downloads, POST-only actions, redirects, the health check.
NOT_PAGES = {
    "healthz": "JSON for the load balancer",
    "set_language": "POST-only action (redirects)",
    "admissions:document_download": "the file itself",
    "admissions:document_page_download": "the file itself",
    "admissions:document_remove": "POST-only action",
    "admissions:award_accept": "POST-only action (the offer page has the form)",
    "admissions:award_decline": "POST-only action (the offer page has the form)",
    "admin:view_on_site": "redirect to the object's public page",
    "admin:autocomplete": "JSON for the admin's select boxes",
    "mfa_deactivate_totp": "exists only once the person has an authenticator app",
    "mfa_view_recovery_codes": "exists only once the person has recovery codes",
    "mfa_download_recovery_codes": "exists only once the person has recovery codes",
    "admin:logout": "POST-only action",
    "account_logout": "the question is covered by the logged-in flow below",
    "account_reauthenticate": "asked only before a sensitive change; same form as log-in",
    "account_request_reauthentication_code": "log-in by code is not enabled",
    "account_confirm_reauthentication_code": "log-in by code is not enabled",
    "account_confirm_login_code": "log-in by code is not enabled",
    "rankings:json": "the published list as JSON, for checking its hash",
    "papers:application_pdf": "a PDF file",
    "papers:offer_letter_pdf": "a PDF file",
    "calendars:cycle": "an iCalendar file",
    "calendars:applicant": "an iCalendar file",
    "admin:admissions_document_verify": "POST-only action (the desk updates the row in place)",
    "admin:admissions_application_saved_filter": "POST-only action (save or delete a filter)",
    "admissions:documents_uploaded": "POST-only action (the documents page has the button)",
    "calendars:reset": "POST-only action (the dashboard has the button)",
}


# Pages that show one text in all three languages side by side, by design (editing it).
MULTILINGUAL = {
    "admin:admissions_consenttext_change": "the consent text, edited in kk, ru and en",
}


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    user: object | None  # None: an anonymous visitor
    method: str = "get"
    data: dict | None = None

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.url}"


def url_names() -> list[tuple[str, object]]:
    """(namespaced name, pattern) of every named URL."""

    def walk(patterns, namespace) -> Iterator[tuple[str, object]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                joined = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                yield from walk(pattern.url_patterns, joined)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern)

    return list(walk(get_resolver().url_patterns, None))


def _parameters(pattern) -> set[str]:
    regex = pattern.pattern.regex
    return set(regex.groupindex)


def _admin_model(name: str):
    """The registered model an admin URL name is about, e.g. admin:admissions_document_change."""
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model
    return None


def _reset_key(user) -> dict:
    return {"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)}


def _confirmation_key(user) -> dict:
    address = EmailAddress.objects.filter(user=user).first()
    return {"key": EmailConfirmationHMAC(address).key}


def _arguments(world: World) -> dict[str, list[tuple[dict, object]]]:
    """URL name -> [(kwargs, user requesting it)] for URLs with arguments."""
    applicant = world.draft.applicant
    offering = world.draft.choices.first().offering
    under_review = world.by_status["under_review"]
    document = under_review.documents.first()
    return {
        "admissions:award_detail": [
            ({"pk": award.pk}, award.application.applicant) for award in world.awards
        ],
        "admissions:application_step": [({"step": slug}, applicant) for slug in STEP_SLUGS],
        "rankings:detail": [({"pk": world.snapshot.pk}, None)],
        "programs:detail": [({"slug": offering.program.slug}, None)],
        "account_confirm_email": [(_confirmation_key(applicant), None)],
        "account_reset_password_from_key": [(_reset_key(applicant), None)],
        "admin:app_list": [
            ({"app_label": config.label}, world.superuser)
            for config in apps.get_app_configs()
            if any(m._meta.app_label == config.label for m in admin.site._registry)
        ],
        "admin:awards_ranking": [({"offering_id": offering.pk}, world.superuser)],
        "admin:awards_allocate": [({"cycle_id": offering.cycle_id}, world.superuser)],
        "admin:auth_user_password_change": [({"id": world.superuser.pk}, world.superuser)],
        "admin:admissions_application_decide": [
            ({"object_id": under_review.pk, "to_status": status}, world.superuser)
            for status in ("accepted", "waitlisted", "rejected", "documents_requested")
        ],
        "admin:admissions_application_document_verify": [
            ({"object_id": under_review.pk, "document_id": document.pk}, world.superuser)
        ],
        "admin:admissions_document_reject": [({"document_id": document.pk}, world.superuser)],
        "papers:verify": [
            (
                {
                    "token": paper_token_issue(
                        kind=PaperKind.APPLICATION, key=under_review.reference
                    )
                },
                None,
            )
        ],
        "admin:admissions_application_document_reject": [
            ({"object_id": under_review.pk, "document_id": document.pk}, world.superuser)
        ],
    }


ADMIN_OBJECT_PARAMETERS = {"object_id", "pk", "id"}


def pages(world: World, language: str) -> list[Page]:
    """Every page in `language`, with who requests it."""
    arguments = _arguments(world)
    result: list[Page] = []
    missing = []
    with translation.override(language):
        for name, pattern in url_names():
            if name in NOT_PAGES:
                continue
            parameters = _parameters(pattern)
            is_admin = name.startswith("admin:")
            default_user = world.superuser if is_admin else world.draft.applicant
            if not parameters:
                result.append(Page(name, reverse(name), None if not is_admin else default_user))
                continue
            if name in arguments:
                for kwargs, user in arguments[name]:
                    result.append(Page(name, reverse(name, kwargs=kwargs), user))
                continue
            model = _admin_model(name) if is_admin else None
            if model is not None and parameters <= ADMIN_OBJECT_PARAMETERS:
                instance = any_object(model)
                if instance is None:
                    missing.append(f"{name}: no {model.__name__} in the test data")
                    continue
                kwargs = dict.fromkeys(parameters, instance.pk)
                result.append(Page(name, reverse(name, kwargs=kwargs), world.superuser))
                continue
            missing.append(f"{name} ({pattern.pattern}): say how to fill {sorted(parameters)}")
        assert not missing, "URLs the language check cannot reach:\n" + "\n".join(missing)
        # The dashboard in every status, each offer, each step with errors.
        for status, application in world.by_status.items():
            result.append(
                Page(f"dashboard {status}", reverse("admissions:dashboard"), application.applicant)
            )
            result.append(
                Page(f"profile {status}", reverse("admissions:profile"), application.applicant)
            )
        for slug in STEP_SLUGS:
            url = reverse("admissions:application_step", kwargs={"step": slug})
            result.append(
                Page(
                    f"step {slug} with errors",
                    url,
                    world.draft.applicant,
                    method="post",
                    data=_bad_step_data(slug),
                )
            )
        result.append(
            Page(
                "profile with errors",
                reverse("admissions:profile"),
                world.draft.applicant,
                method="post",
                data={"phone": "12", "citizenship": "KZ", "birth_date": "x"},
            )
        )
        result.append(
            Page(
                "log-in with errors",
                reverse("account_login"),
                None,
                method="post",
                data={"login": "nobody@example.org", "password": "wrong-password"},
            )
        )
        result.append(
            Page(
                "sign-up with errors",
                reverse("account_signup"),
                None,
                method="post",
                data={"email": "not-an-address", "password1": "1", "password2": "2"},
            )
        )
        result.append(
            Page(
                "password reset with errors",
                reverse("account_reset_password"),
                None,
                method="post",
                data={"email": "x"},
            )
        )
    return result


def _bad_step_data(slug: str) -> dict:
    """POST data each step refuses (so its error messages are rendered)."""
    return {
        "personal": {"phone": "8 999", "identifier_kind": "iin", "identifier": "123"},
        "programs": {
            "choices-TOTAL_FORMS": "1",
            "choices-INITIAL_FORMS": "0",
            "choices-0-offering": "",
            "choices-0-language": "",
        },
        "education": {"graduation_year": "1800", "grade_average": "9", "grade_scale_max": "5"},
        "exams": {
            "exams-TOTAL_FORMS": "1",
            "exams-INITIAL_FORMS": "0",
            "exams-0-exam": "unt",
            "exams-0-score": "-1",
        },
        "motivation": {"motivation": "short"},
        "documents": {},
        "review": {},
    }.get(slug, {})


SKIP_STATUS = re.compile(r"^30[12378]$")
