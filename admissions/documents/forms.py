"""Upload form of the documents page. Content checks live in `services.document_upload`."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from admissions.enums import DocumentKind
from admissions.text import NormalisedFormMixin

__all__ = ["ACCEPT_ATTRIBUTE", "ACCEPT_EXTENSIONS", "DocumentUploadForm"]

# A hint for the browser's file picker (and its script's check) only; the server checks
# the content.
ACCEPT_ATTRIBUTE = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
ACCEPT_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or several files (the pages of one document), cleaned one by one: a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            if not data:
                return [single(None, initial)]
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class DocumentUploadForm(NormalisedFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = MultipleFileField(
        label=_("File"),
        allow_empty_file=True,  # the service gives the clearer "the file is empty" message
        max_length=10_000,  # absurd names are sanitised by the service, not refused
    )
    # Set: the files are added as further pages of this document of the applicant's.
    document = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, JPEG or PNG, at most %(size)s per file; up to %(count)s files (pages)."
        ) % {
            "size": filesizeformat(settings.DOCUMENT_MAX_BYTES),
            "count": settings.DOCUMENT_MAX_FILES,
        }
