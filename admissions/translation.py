"""Translated fields of the admissions app: reviewers work in kk/ru/en, so the rubric does
too; applicants read next steps and the office's contacts in their language."""

from modeltranslation.translator import TranslationOptions, register

from admissions.models import AdmissionsOffice, ConsentText, NextStep, RubricCriterion


@register(RubricCriterion)
class RubricCriterionTranslation(TranslationOptions):
    fields = ("name", "description")


@register(ConsentText)
class ConsentTextTranslation(TranslationOptions):
    fields = ("text",)


@register(NextStep)
class NextStepTranslation(TranslationOptions):
    fields = ("title", "instructions")


@register(AdmissionsOffice)
class AdmissionsOfficeTranslation(TranslationOptions):
    fields = ("name", "address", "opening_hours")
