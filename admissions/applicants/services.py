"""The applicant's profile: identity, contact details and preferred language.

Rule: identity fields (names, date of birth, citizenship, identifier) are frozen while the
user has an application under consideration (submitted and not yet rejected or withdrawn):
staff review them, so a change must go through the admissions office. Contact fields
(phone, preferred language) stay editable. A refused change raises `DomainError` and
changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from admissions.applicants.search import profile_search_key
from admissions.applicants.validators import normalise_identifier
from admissions.errors import DomainError
from admissions.models import ApplicantProfile, UserLanguage

__all__ = [
    "PROFILE_CONTACT_FIELDS",
    "PROFILE_FIELDS",
    "PROFILE_IDENTITY_FIELDS",
    "profile_identity_locked",
    "profile_save",
    "profiles_rebuild_search_keys",
    "user_language_set",
]

PROFILE_IDENTITY_FIELDS = (
    "last_name_native",
    "first_name_native",
    "patronymic_native",
    "last_name_latin",
    "first_name_latin",
    "birth_date",
    "citizenship",
    "identifier_kind",
    "identifier",
)
PROFILE_CONTACT_FIELDS = ("phone", "preferred_language")
PROFILE_FIELDS = PROFILE_IDENTITY_FIELDS + PROFILE_CONTACT_FIELDS


def profile_identity_locked(user) -> bool:
    """Whether the identity fields of `user`'s profile may no longer be changed: an
    application of theirs is in the lifecycle group "identity locking" (in the hands of
    the admissions office)."""
    from admissions.applications.lifecycle import Group, statuses_in

    return user.applications.filter(status__in=statuses_in(Group.IDENTITY_LOCKING)).exists()


def _comparable(value: Any) -> str:
    return "" if value is None else str(value)


@transaction.atomic
def user_language_set(*, user, language: str, explicit: bool = True) -> UserLanguage | None:
    """Record `language` (a code of settings.LANGUAGES) as `user`'s language of mail.

    `explicit=False` is the implicit default taken from the sign-up page: it never
    overrides a choice already recorded. An explicit choice (the language switcher of a
    signed-in user, a staff member's setting) also becomes the applicant profile's
    preferred language, so every mail, link and reminder follows it. An unsupported code
    changes nothing and returns None.
    """
    if language not in {code for code, _name in settings.LANGUAGES}:
        return None
    if not explicit:
        preference, _created = UserLanguage.objects.get_or_create(
            user=user, defaults={"language": language}
        )
        return preference
    preference, _created = UserLanguage.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    ApplicantProfile.objects.filter(user=user).exclude(preferred_language=language).update(
        preferred_language=language
    )
    return preference


@transaction.atomic
def profile_save(*, user, data: dict[str, Any]) -> ApplicantProfile:
    """Create or update `user`'s profile from validated `data` (e.g. a form's cleaned_data,
    see `admissions.applicants.forms.ApplicantProfileForm`). Unknown keys are ignored."""
    profile = ApplicantProfile.objects.select_for_update().filter(user=user).first()
    values = {name: data[name] for name in PROFILE_FIELDS if name in data}
    if "identifier" in values:
        values["identifier"] = normalise_identifier(
            values.get("identifier_kind") or (profile and profile.identifier_kind) or "",
            values["identifier"],
        )
    if profile is not None and profile_identity_locked(user):
        changed = [
            name
            for name in PROFILE_IDENTITY_FIELDS
            if name in values and _comparable(values[name]) != _comparable(getattr(profile, name))
        ]
        if changed:
            raise DomainError(
                _(
                    "Your name, date of birth, citizenship and identifier cannot be changed "
                    "while your application is being considered. Please write to the "
                    "admissions office."
                )
            )
    if profile is None:
        profile = ApplicantProfile(user=user)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.search_key = profile_search_key(profile)
    profile.save()
    # The preferred language chosen here is also the account's (one answer everywhere).
    UserLanguage.objects.update_or_create(
        user=user, defaults={"language": profile.preferred_language}
    )
    return profile


def profiles_rebuild_search_keys(*, batch_size: int = 1000) -> int:
    """Rewrite every profile's `search_key` (after a change of the folding rules in
    `admissions.applicants.search`); returns how many changed. Batches of `batch_size`."""
    changed = 0
    batch: list[ApplicantProfile] = []
    profiles = ApplicantProfile.objects.only(
        "pk",
        "last_name_native",
        "first_name_native",
        "patronymic_native",
        "last_name_latin",
        "first_name_latin",
        "search_key",
    )
    for profile in profiles.iterator(chunk_size=batch_size):
        key = profile_search_key(profile)
        if key != profile.search_key:
            profile.search_key = key
            batch.append(profile)
        if len(batch) >= batch_size:
            changed += len(batch)
            ApplicantProfile.objects.bulk_update(batch, ["search_key"])
            batch.clear()
    changed += len(batch)
    ApplicantProfile.objects.bulk_update(batch, ["search_key"])
    return changed
