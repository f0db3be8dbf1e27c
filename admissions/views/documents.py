"""Minimal permission-checked document download (placeholder for the staff branch).

NOTE for the merge: the applicant engineer owns the real view with the same URL name
(`admissions:document_download`); keep theirs.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from ..models import Document
from ..selectors import document_visible_to


@login_required
def document_download(request, pk):
    document = get_object_or_404(Document, pk=pk)
    if not document_visible_to(request.user, document):
        raise Http404
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type or "application/octet-stream",
        as_attachment=False,
        filename=document.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
