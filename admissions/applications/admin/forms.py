"""Forms of the intermediate admin pages: decision, document rejection, review."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from admissions.text import NormalisedFormMixin

# --- Forms of the intermediate pages ------------------------------------------------------


class DecisionForm(NormalisedFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Message to the applicant"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        required=False,
    )

    override_reason = forms.CharField(
        label=_("Reason for deciding despite the failed checks (kept in the audit trail)"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        required=False,
        help_text=_(
            "Leave empty to decide only the applications that pass every check. With a "
            "reason, the others are decided too, and the reason is recorded."
        ),
    )

    def __init__(self, *args, note_required: bool = False, may_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = note_required
        if not may_override:
            del self.fields["override_reason"]


class RejectDocumentForm(NormalisedFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection (the applicant reads it)"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )


class ReviewForm(NormalisedFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), required=False
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            # No min/max on the field: the service refuses out-of-range scores with a
            # message naming the criterion and its range.
            self.fields[f"criterion_{criterion.pk}"] = forms.IntegerField(
                label=criterion.name,
                widget=forms.NumberInput(attrs={"min": 0, "max": criterion.max_score}),
                help_text=self._help(criterion),
            )
        self.order_fields([*(f"criterion_{c.pk}" for c in criteria), "comment"])

    @staticmethod
    def _help(criterion) -> str:
        # Name and description read in the active language (modeltranslation).
        scale = _("0 to %(max)s, weight %(weight)s") % {
            "max": criterion.max_score,
            "weight": criterion.weight,
        }
        return f"{criterion.description} ({scale})" if criterion.description else scale

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"criterion_{c.pk}"] for c in self.criteria}
