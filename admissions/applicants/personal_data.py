"""The applicant's rights over their personal data: a copy of everything, and deletion of an
account that never submitted anything.

* `personal_data_export(user=...)`: a ZIP with ``data.json`` (account, profile, every
  application with its choices, exam results, consent, status history, documents' details,
  scholarship offers, and the mail sent to them) and ``documents/`` (the files themselves).
  Legal source: 152-FZ art. 14 (the subject's right to their data) and 94-V art. 24.
* `account_delete(user=..., password=...)`: allowed while every application of the account is
  a draft (nothing was submitted, so the university holds no admission record that the law
  obliges it to keep); deletes the account, its profile, drafts, documents (files after the
  commit), sign-in records and mail. Legal source: 152-FZ art. 9 part 2 and art. 21 part 5
  (withdrawal of consent), 94-V art. 8 part 4.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import zipfile
from typing import IO

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applicants.services import PROFILE_IDENTITY_FIELDS
from admissions.documents.services import document_download_name
from admissions.enums import ApplicationStatus
from admissions.errors import DomainError
from admissions.models import (
    ApplicantProfile,
    Application,
    Document,
    OutgoingMail,
    ScholarshipAward,
    StatusEvent,
)

__all__ = ["account_delete", "account_may_be_deleted", "personal_data_export"]

logger = logging.getLogger(__name__)

# Everything the profile holds: its identity, then contact, language and timestamps.
PROFILE_EXPORT_FIELDS = (
    *PROFILE_IDENTITY_FIELDS,
    "phone",
    "preferred_language",
    "created_at",
    "updated_at",
)
APPLICATION_EXPORT_FIELDS = (
    "reference",
    "status",
    "education_institution",
    "education_country",
    "education_document_kind",
    "education_document_number",
    "graduation_year",
    "graduation_expected",
    "grade_average",
    "grade_scale_max",
    "scholarship_requested",
    "motivation",
    "consent_version",
    "consent_given_at",
    "consent_ip",
    "documents_request_message",
    "decision_note",
    "created_at",
    "updated_at",
    "submitted_at",
)


def _plain(value):
    """JSON-friendly values: countries and phone numbers as their text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "as_e164"):
        return value.as_e164
    if hasattr(value, "code") and hasattr(value, "name"):
        return value.code
    return value


def _fields(instance, names) -> dict:
    return {name: _plain(getattr(instance, name)) for name in names}


def _document_path(document) -> str:
    """Where a document's file (a `Document`, page 1, or a `DocumentPage`) goes in the archive."""
    page = getattr(document, "document", None)
    if page is not None and document.number > 1:
        return (
            f"documents/{page.pk}-{page.kind}-p{document.number}-"
            f"{document_download_name(document)}"
        )
    return f"documents/{document.pk}-{document.kind}-{document_download_name(document)}"


def _collect(user) -> tuple[dict, list[Document]]:
    profile = ApplicantProfile.objects.filter(user=user).first()
    applications = list(
        Application.objects.filter(applicant=user)
        .select_related("cycle")
        .prefetch_related(
            "choices__offering__program",
            "choices__language",
            "exam_results",
            "documents__extra_pages",
        )
        .order_by("created_at")
    )
    events = StatusEvent.objects.filter(application__applicant=user).order_by("created_at")
    awards = ScholarshipAward.objects.filter(application__applicant=user).select_related(
        "fund", "offering__program"
    )
    mails = OutgoingMail.objects.filter(user=user).order_by("created_at")
    documents: list[Document] = []
    data = {
        "exported_at": timezone.now(),
        "account": {
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in user.emailaddress_set.all()
            ],
        },
        "profile": _fields(profile, PROFILE_EXPORT_FIELDS) if profile else None,
        "applications": [],
        "scholarship_offers": [
            {
                "application": award.application_id,
                "fund": str(award.fund),
                "program": str(award.offering.program),
                "state": award.state,
                "offered_at": award.offered_at,
                "respond_by": award.respond_by,
            }
            for award in awards
        ],
        "mail_sent_to_you": [
            {"template": m.template, "recipient": m.recipient, "created_at": m.created_at}
            for m in mails
        ],
    }
    history: dict[int, list] = {}
    for event in events:
        history.setdefault(event.application_id, []).append(
            {
                "from": event.from_status,
                "to": event.to_status,
                "at": event.created_at,
                "note": event.note,
            }
        )
    for application in applications:
        entry = {"id": application.pk, "cycle": str(application.cycle)}
        entry.update(_fields(application, APPLICATION_EXPORT_FIELDS))
        entry["choices"] = [
            {
                "priority": choice.priority,
                "program": str(choice.offering.program),
                "language": choice.language.code,
            }
            for choice in application.choices.all()
        ]
        entry["exam_results"] = [
            {
                "exam": exam.exam,
                "subject": exam.subject,
                "score": exam.score,
                "max_score": exam.max_score,
                "taken_on": exam.taken_on,
            }
            for exam in application.exam_results.all()
        ]
        entry["documents"] = []
        for document in application.documents.all():
            documents.extend(document.pages)
            entry["documents"].append(
                {
                    "kind": document.kind,
                    "file_name": document.original_name,
                    "type": document.content_type,
                    "size": document.size,
                    "sha256": document.sha256,
                    "status": document.status,
                    "rejection_reason": document.rejection_reason,
                    "uploaded_at": document.uploaded_at,
                    "in_this_archive": _document_path(document),
                    "pages": [_document_path(page) for page in document.pages],
                }
            )
        entry["status_history"] = history.get(application.pk, [])
        data["applications"].append(entry)
    return data, documents


def personal_data_export(*, user) -> IO[bytes]:
    """Everything the portal holds about `user`, as a ZIP in a temporary file (rewound, to
    stream and close). Files that went missing from storage are listed in ``missing.txt``."""
    data, documents = _collect(user)
    archive_file = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    missing = []
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json",
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
        for document in documents:
            try:
                with (
                    document.file.open("rb") as handle,
                    archive.open(_document_path(document), "w") as target,
                ):
                    shutil.copyfileobj(handle, target, 64 * 1024)
            except OSError:
                missing.append(_document_path(document))
        if missing:
            archive.writestr("missing.txt", "\n".join(missing))
    archive_file.seek(0)
    return archive_file


def account_may_be_deleted(*, user) -> bool:
    """Whether the owner may delete the account: no application beyond a draft."""
    return (
        not Application.objects.filter(applicant=user)
        .exclude(status=ApplicationStatus.DRAFT)
        .exists()
    )


@transaction.atomic
def account_delete(*, user, password: str) -> None:
    """Delete `user` and everything attached (rules in the module docstring).

    Raises DomainError when the password is wrong or an application was submitted.
    """
    if not user.check_password(password):
        raise DomainError(_("The password is not correct."))
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not account_may_be_deleted(user=user):
        raise DomainError(
            _(
                "An account with a submitted application cannot be deleted: the university "
                "must keep the admission record. You can withdraw the application instead."
            )
        )
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from admissions.applicants.throttle import login_key
    from admissions.documents.services import _delete_file_on_commit

    for document in Document.objects.filter(application__applicant=user).prefetch_related(
        "extra_pages"
    ):
        for page in document.pages:
            _delete_file_on_commit(page.file.name)
    Application.objects.filter(applicant=user).delete()
    OutgoingMail.objects.filter(user=user).delete()
    OutgoingMail.objects.filter(recipient__iexact=user.email).delete()
    login = login_key(None, {"username": user.email})
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__in={login, user.get_username()}).delete()
    user_id = user.pk
    user.delete()
    logger.info("Account %s deleted by its owner", user_id)
