"""The reviewer's workspace in the admin (views of `ApplicationAdmin`): the queue "to review
by me" per assigned program, and the review page, the application's content beside the
rubric, with "save and next" through the queue.

What a reviewer is shown of the applicant is decided by `admissions.permissions`: a blind
reviewer sees no field of `PERSONAL_FIELDS` and no identity document or photo.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext

from admissions.applications import lifecycle
from admissions.applications.admin.forms import ReviewForm
from admissions.applications.exports import applicant_profile
from admissions.applications.services import EDUCATION_FIELDS
from admissions.documents.desk import document_file_cell
from admissions.documents.views import PREVIEWABLE_CONTENT_TYPES, document_display_name
from admissions.errors import DomainError
from admissions.models import ApplicantProfile, Application, Review
from admissions.permissions import (
    staff_may_see,
    staff_may_see_document_kind,
    staff_may_see_documents,
)
from admissions.reviews.selectors import (
    review_queue,
    review_queue_counts,
    review_queue_next,
    review_queue_programs,
)
from admissions.reviews.services import review_submit, rubric_for
from admissions.selectors import application_full, reviewer_program_ids

__all__ = ["ReviewWorkspaceMixin"]

# The applicant's data on the review page: (label source, personal field it reveals, value).
APPLICANT_ROWS = (
    ("last_name_native", "applicantprofile.last_name_native", lambda p: p.full_name_native),
    ("last_name_latin", "applicantprofile.last_name_latin", lambda p: p.full_name_latin),
    ("birth_date", "applicantprofile.birth_date", lambda p: p.birth_date),
    ("citizenship", None, lambda p: p.citizenship.name),
)


def _field_label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name).capitalize()


class ReviewWorkspaceMixin:
    """For `ApplicationAdmin`: the review queue and the review page."""

    def review_urls(self) -> list:
        wrap = self.admin_site.admin_view
        info = "admissions_application"
        return [
            path("review-queue/", wrap(self.review_queue_view), name=f"{info}_review_queue"),
            path("<path:object_id>/review/", wrap(self.review_view), name=f"{info}_review"),
        ]

    # --- Helpers --------------------------------------------------------------------------

    @staticmethod
    def _review_url(application, program_id: int | None) -> str:
        url = reverse("admin:admissions_application_review", args=[application.pk])
        return f"{url}?{urlencode({'program': program_id})}" if program_id else url

    @staticmethod
    def _queue_url(program_id: int | None) -> str:
        url = reverse("admin:admissions_application_review_queue")
        return f"{url}?{urlencode({'program': program_id})}" if program_id else url

    @staticmethod
    def _queue_program(request, application=None) -> int | None:
        """The program whose queue the reviewer works through: `?program=` when it is
        theirs (and the application's), else the first of theirs the application chose."""
        assigned = reviewer_program_ids(request.user)
        chosen = (
            [choice.offering.program_id for choice in application.choices.all()]
            if application is not None
            else assigned
        )
        wanted = request.GET.get("program", "")
        if wanted.isdigit() and int(wanted) in assigned and int(wanted) in chosen:
            return int(wanted)
        return next((program_id for program_id in chosen if program_id in assigned), None)

    # --- The queue ------------------------------------------------------------------------

    def review_queue_view(self, request):
        """Per assigned program: applications still to review by me first (oldest
        submission first), then those I reviewed, with my score."""
        if not (
            self.has_view_permission(request) and request.user.has_perm("admissions.add_review")
        ):
            raise PermissionDenied
        programs = review_queue_programs(request.user)
        program_id = self._queue_program(request)
        program = next((p for p in programs if p.pk == program_id), None)
        rows = []
        if program is not None:
            rows = list(review_queue(reviewer=request.user, program_id=program.pk))
        counts = review_queue_counts(reviewer=request.user, program_ids=[p.pk for p in programs])
        tabs = [
            {
                "program": p,
                "count": counts.get(p.pk, 0),
                "url": self._queue_url(p.pk),
                "current": p.pk == program_id,
            }
            for p in programs
        ]
        for row in rows:
            row.review_url = self._review_url(row, program_id)
            row.submitted_local = (
                timezone.localtime(row.submitted_at) if row.submitted_at else None
            )
        waiting = [row for row in rows if not row.reviewed_by_me]
        return self._page(
            request,
            "admin/admissions/application/review_queue.html",
            gettext("My review queue"),
            tabs=tabs,
            program=program,
            rows=rows,
            waiting_count=len(waiting),
            start_url=waiting[0].review_url if waiting else None,
        )

    # --- The review page ------------------------------------------------------------------

    def review_view(self, request, object_id):
        application = self._get_visible_application(request, object_id)
        if not self._may_review(request, application):
            raise PermissionDenied
        application = application_full(pk=application.pk)
        program_id = self._queue_program(request, application)
        criteria = rubric_for(application)
        existing = (
            Review.objects.filter(application=application, reviewer=request.user)
            .prefetch_related("scores")
            .first()
        )
        initial = {}
        if existing:
            initial = {"comment": existing.comment}
            initial.update({f"criterion_{s.criterion_id}": s.value for s in existing.scores.all()})
        form = ReviewForm(request.POST or None, criteria=criteria, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                review = review_submit(
                    application=application,
                    reviewer=request.user,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                message = gettext("Review saved: score %(score)s of 100.") % {
                    "score": review.score
                }
                self._done(request, review, message, added=not existing)
                return HttpResponseRedirect(self._after_review(request, application, program_id))
        return self._page(
            request,
            "admin/admissions/application/review.html",
            gettext("Review of %(application)s") % {"application": application},
            form=form,
            application=application,
            criteria=criteria,
            reviewable=application.status in lifecycle.statuses_in(lifecycle.Group.REVIEWABLE),
            applicant_rows=self._applicant_rows(request.user, application),
            education_rows=self._education_rows(request.user, application),
            documents=self._review_documents(request.user, application),
            queue_url=self._queue_url(program_id) if program_id else None,
            has_queue=program_id is not None,
            cancel_url=self._change_url(application),
            # The application and the rubric side by side need the width.
            is_nav_sidebar_enabled=False,
        )

    def _after_review(self, request, application, program_id) -> str:
        if "_next" not in request.POST or program_id is None:
            return self._change_url(application)
        following = review_queue_next(
            reviewer=request.user, program_id=program_id, after=application
        )
        if following is None:
            self.message_user(request, gettext("Nothing is left to review in this program."))
            return self._queue_url(program_id)
        return self._review_url(following, program_id)

    @staticmethod
    def _applicant_rows(user, application: Application) -> list[tuple[str, object]]:
        profile = applicant_profile(application)
        if profile is None:
            return []
        return [
            (_field_label(ApplicantProfile, name), value(profile))
            for name, personal, value in APPLICANT_ROWS
            if personal is None or staff_may_see(user, personal)
        ]

    @staticmethod
    def _education_rows(user, application: Application) -> list[tuple[str, object]]:
        rows = []
        for name in EDUCATION_FIELDS:
            if not staff_may_see(user, f"application.{name}"):
                continue
            field = Application._meta.get_field(name)
            value = getattr(application, name)
            if field.choices and value:
                value = getattr(application, f"get_{name}_display")()
            elif isinstance(value, bool):
                value = gettext("yes") if value else gettext("no")
            rows.append(
                (_field_label(Application, name), value if value not in ("", None) else "—")
            )
        return rows

    @staticmethod
    def _review_documents(user, application: Application) -> list[dict]:
        if not staff_may_see_documents(user):
            return []
        return [
            {
                "document": document,
                "link": document_file_cell(document, user),
                "name": document_display_name(document, user),
                # Every page of the document, previewed one under the other.
                "pages": [
                    {
                        "number": page.number,
                        "preview_url": page.download_url + "?preview=1",
                        "is_image": page.content_type.startswith("image/"),
                        "previewable": page.content_type in PREVIEWABLE_CONTENT_TYPES,
                    }
                    for page in document.pages
                ],
            }
            for document in application.documents.all()
            if staff_may_see_document_kind(user, document.kind)
        ]
