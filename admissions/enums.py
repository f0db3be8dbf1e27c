from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    DOCUMENTS_REQUESTED = "documents_requested", _("Documents requested")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Rejected")
    ENROLLED = "enrolled", _("Enrolled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# What each status allows, sends and belongs to is declared in
# admissions/applications/lifecycle.py.


class IdentifierKind(models.TextChoices):
    IIN = "iin", _("Kazakh IIN")
    SNILS = "snils", _("Russian SNILS")
    PASSPORT = "passport", _("Passport number")


class SiteLanguage(models.TextChoices):
    KK = "kk", _("Kazakh")
    RU = "ru", _("Russian")
    EN = "en", _("English")


class EducationDocumentKind(models.TextChoices):
    SCHOOL_CERTIFICATE = "school_certificate", _("Secondary school certificate")
    COLLEGE_DIPLOMA = "college_diploma", _("College diploma")
    BACHELOR_DIPLOMA = "bachelor_diploma", _("Bachelor's diploma")
    SPECIALIST_DIPLOMA = "specialist_diploma", _("Specialist diploma")
    MASTER_DIPLOMA = "master_diploma", _("Master's diploma")
    OTHER = "other", _("Other")


class ExamKind(models.TextChoices):
    UNT = "unt", _("Unified National Testing (UNT/ENT)")
    EGE = "ege", _("Unified State Exam (EGE)")
    ENTRANCE = "entrance", _("Entrance exam")
    KT = "kt", _("Comprehensive testing (master's)")
    IELTS = "ielts", _("IELTS")
    TOEFL = "toefl", _("TOEFL")
    OTHER = "other", _("Other")


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", _("Passport or ID card")
    EDUCATION = "education", _("Education certificate or diploma")
    PHOTO = "photo", _("Photo")
    TRANSCRIPT = "transcript", _("Transcript")
    LANGUAGE_CERTIFICATE = "language_certificate", _("Language certificate")
    OTHER = "other", _("Other")


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class AwardState(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


LIVE_AWARD_STATES = frozenset({AwardState.OFFERED, AwardState.ACCEPTED})


class MailState(models.TextChoices):
    PENDING = "pending", _("Pending")
    # Claimed by a worker that is sending it now; a claim older than OUTBOX_CLAIM_SECONDS
    # (its worker died) counts as pending again.
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
