"""Who may see what: the staff roles, and the personal data each role may not see.

Roles are Django groups (created by `setup_roles`); the limits below are object- and
field-level, which permissions cannot express:

- Admissions officers (and superusers) see every application and document.
- The scholarship committee sees every application, but no documents.
- Reviewers see only the applications (not drafts) that chose a program assigned to them,
  and their documents, but never national ids or contact data. A reviewer with a blind
  assignment sees nothing that identifies the applicant (`IDENTIFYING_FIELDS`), anywhere:
  lists, change page, inlines, history, review page, document previews and exports.

Every admin page, view, template, export and selector asks these predicates; a field is
declared personal once, in `PERSONAL_FIELDS`, and hidden wherever it would be shown.
Legal source: Federal Law 152-FZ "On personal data", art. 5 part 5 (the data processed match
the purpose: a reviewer judges the application, not the person); the same purpose limitation
in Kazakhstan's law 94-V "On personal data and their protection".
"""

from __future__ import annotations

from enum import StrEnum

from admissions.enums import DocumentKind
from admissions.models import ReviewerAssignment

__all__ = [
    "COMMITTEE_GROUP",
    "IDENTIFYING_DOCUMENT_KINDS",
    "OFFICER_GROUP",
    "PERSONAL_FIELDS",
    "REVIEWER_GROUP",
    "STAFF_GROUPS",
    "Personal",
    "StaffRolesBackend",
    "hidden_personal_fields",
    "reviewer_program_ids",
    "staff_is_blind",
    "staff_is_committee",
    "staff_is_officer",
    "staff_is_reviewer",
    "staff_may_see",
    "staff_may_see_contact",
    "staff_may_see_document_kind",
    "staff_may_see_documents",
    "staff_may_see_national_id",
    "staff_may_verify_documents",
    "staff_roles_read",
    "staff_sees_all_applications",
]

OFFICER_GROUP = "Admissions officer"
REVIEWER_GROUP = "Reviewer"
COMMITTEE_GROUP = "Scholarship committee"
STAFF_GROUPS = (OFFICER_GROUP, REVIEWER_GROUP, COMMITTEE_GROUP)


class Personal(StrEnum):
    """Categories of personal data shown in the staff pages."""

    NAME = "name"
    BIRTH_DATE = "birth_date"
    SCHOOL = "school"
    DOCUMENT_NUMBER = "document_number"
    NATIONAL_ID = "national_id"
    CONTACT = "contact"
    FILE_NAME = "file_name"


# Every field (as "model.field", model in lower case) that tells who the applicant is, with
# its category. Anything shown to staff that reveals one of these names it here (admin
# display methods, export columns and search fields map to these keys).
PERSONAL_FIELDS: dict[str, Personal] = {
    "applicantprofile.last_name_native": Personal.NAME,
    "applicantprofile.first_name_native": Personal.NAME,
    "applicantprofile.patronymic_native": Personal.NAME,
    "applicantprofile.last_name_latin": Personal.NAME,
    "applicantprofile.first_name_latin": Personal.NAME,
    "applicantprofile.birth_date": Personal.BIRTH_DATE,
    "applicantprofile.identifier_kind": Personal.NATIONAL_ID,
    "applicantprofile.identifier": Personal.NATIONAL_ID,
    "applicantprofile.phone": Personal.CONTACT,
    "user.email": Personal.CONTACT,
    # The account's user name: an applicant's own choice or derived from the e-mail.
    "user.username": Personal.NAME,
    "application.education_institution": Personal.SCHOOL,
    "application.education_document_number": Personal.DOCUMENT_NUMBER,
    "document.original_name": Personal.FILE_NAME,
}

# What a blind reviewer may not see: every category.
IDENTIFYING_FIELDS = frozenset(PERSONAL_FIELDS)

# Documents whose content is the person (a passport scan, a photo): not shown to a blind
# reviewer at all. Certificates and transcripts are shown (they are what is judged), without
# their file names; their scans may carry a name, which no redaction of ours can remove.
IDENTIFYING_DOCUMENT_KINDS = frozenset({DocumentKind.IDENTITY, DocumentKind.PHOTO})


# --- Roles ----------------------------------------------------------------------------------


def staff_roles_read(user) -> None:
    """Read a staff user's groups and permissions (their own and their groups') in one
    query, and keep them on the user object for the request: the role predicates read the
    group names, and Django's ModelBackend finds its two permission caches filled (it read
    them in two queries, the group names being a third). Nothing for a superuser (every
    permission without a query, and an officer without groups) or a non-staff user."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import CharField, Value

    if not (user.is_authenticated and user.is_active and user.is_staff) or user.is_superuser:
        return
    if getattr(user, "_staff_group_names", None) is not None:
        return
    own = (
        Permission.objects.filter(user=user)
        .order_by()
        .annotate(through_group=Value(None, output_field=CharField()))
        .values_list("through_group", "content_type__app_label", "codename")
    )
    through_groups = (
        Group.objects.filter(user=user)
        .order_by()
        .values_list("name", "permissions__content_type__app_label", "permissions__codename")
    )
    rows = list(own.union(through_groups, all=True))
    user._staff_group_names = frozenset(group for group, _app, _code in rows if group is not None)
    # The caches ModelBackend fills on its first permission check (`_get_permissions`).
    if not hasattr(user, "_user_perm_cache"):
        user._user_perm_cache = {f"{app}.{code}" for group, app, code in rows if group is None}
    if not hasattr(user, "_group_perm_cache"):
        user._group_perm_cache = {
            f"{app}.{code}" for group, app, code in rows if group is not None and code
        }


class StaffRolesBackend:
    """An authentication backend that authenticates nobody and grants nothing: on a
    user's first permission check it reads their groups and permissions in one query
    (`staff_roles_read`), before ModelBackend, next in AUTHENTICATION_BACKENDS, would read
    them in two (and the role predicates the group names in a third); ModelBackend then
    grants from what was read. It has no `get_user`, so no session is ever bound to it."""

    def authenticate(self, request, **credentials):
        return None

    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        staff_roles_read(user_obj)
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        staff_roles_read(user_obj)
        return set()

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        staff_roles_read(user_obj)
        return set()

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        staff_roles_read(user_obj)
        return False

    def has_module_perms(self, user_obj, app_label) -> bool:
        staff_roles_read(user_obj)
        return False


def _group_names(user) -> frozenset[str]:
    # Cached on the user object: the admin asks many times per request.
    cached = getattr(user, "_staff_group_names", None)
    if cached is None:
        if not (user.is_authenticated and user.is_active and user.is_staff):
            cached = frozenset()
        elif user.is_superuser:
            cached = frozenset(user.groups.values_list("name", flat=True))
        else:
            staff_roles_read(user)
            cached = user._staff_group_names
        user._staff_group_names = cached
    return cached


def staff_is_officer(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and user.is_superuser
    ) or (OFFICER_GROUP in _group_names(user))


def staff_is_committee(user) -> bool:
    return COMMITTEE_GROUP in _group_names(user)


def staff_is_reviewer(user) -> bool:
    """A reviewer and nothing broader: officers and the committee are not limited."""
    # Officers first: a superuser is one without reading their groups.
    return (
        not staff_is_officer(user)
        and REVIEWER_GROUP in _group_names(user)
        and not staff_is_committee(user)
    )


def staff_sees_all_applications(user) -> bool:
    return staff_is_officer(user) or staff_is_committee(user)


def _read_assignments(user) -> None:
    """Read `user`'s review assignments once (one query) and cache on the user object the
    programs assigned and whether any assignment is blind."""
    rows = list(
        ReviewerAssignment.objects.filter(reviewer=user).values_list("program_id", "blind")
    )
    user._reviewer_program_ids = [program for program, _blind in rows]
    user._reviewer_blind = any(blind for _program, blind in rows)


def reviewer_program_ids(user) -> list[int]:
    """Ids of the programs assigned to `user` for review (cached on the user object)."""
    if getattr(user, "_reviewer_program_ids", None) is None:
        _read_assignments(user)
    return user._reviewer_program_ids


def staff_is_blind(user) -> bool:
    """Whether nothing identifying is shown to this user (any blind assignment: the
    reviewer reviews blind everywhere, so one list never mixes named and anonymous rows)."""
    if not staff_is_reviewer(user):
        return False
    if getattr(user, "_reviewer_blind", None) is None:
        _read_assignments(user)
    return user._reviewer_blind


# --- Personal data ----------------------------------------------------------------------------


def staff_may_see_national_id(user) -> bool:
    return staff_is_officer(user)


def staff_may_see_contact(user) -> bool:
    return staff_sees_all_applications(user)


def hidden_personal_fields(user) -> frozenset[str]:
    """The keys of `PERSONAL_FIELDS` that `user` may not see (cached on the user object)."""
    cached = getattr(user, "_hidden_personal_fields", None)
    if cached is None:
        if staff_is_blind(user):
            cached = IDENTIFYING_FIELDS
        else:
            hidden_categories = set()
            if not staff_may_see_national_id(user):
                hidden_categories.add(Personal.NATIONAL_ID)
            if not staff_may_see_contact(user):
                hidden_categories.add(Personal.CONTACT)
            cached = frozenset(
                key for key, category in PERSONAL_FIELDS.items() if category in hidden_categories
            )
        user._hidden_personal_fields = cached
    return cached


def staff_may_see(user, *fields: str) -> bool:
    """Whether `user` may see every one of `fields` ("model.field" keys of
    `PERSONAL_FIELDS`; a key not listed there is no personal data and always visible)."""
    hidden = hidden_personal_fields(user)
    return not any(field in hidden for field in fields)


# --- Documents ------------------------------------------------------------------------------


def staff_may_see_documents(user) -> bool:
    """Officers see every document; reviewers those of the applications they review
    (limited by `staff_may_see_document_kind` when blind); the committee none."""
    return staff_is_officer(user) or staff_is_reviewer(user)


def staff_may_see_document_kind(user, kind: str) -> bool:
    return not (staff_is_blind(user) and kind in IDENTIFYING_DOCUMENT_KINDS)


def staff_may_verify_documents(user) -> bool:
    return staff_is_officer(user) and user.has_perm("admissions.change_document")
