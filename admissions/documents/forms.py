"""Upload form of the documents page. Content checks live in `services.document_upload`."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from admissions.enums import DocumentKind
from admissions.text import NormalisedFormMixin

__all__ = ["ACCEPT_ATTRIBUTE", "DocumentUploadForm"]

# A hint for the browser's file picker only; the server checks the content.
ACCEPT_ATTRIBUTE = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


class DocumentUploadForm(NormalisedFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,  # the service gives the clearer "the file is empty" message
        max_length=10_000,  # absurd names are sanitised by the service, not refused
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, JPEG or PNG, at most %(size)s.") % {
            "size": filesizeformat(settings.DOCUMENT_MAX_BYTES)
        }
