"""Translated fields of the admissions app: reviewers work in kk/ru/en, so the rubric does too."""

from modeltranslation.translator import TranslationOptions, register

from admissions.models import ConsentText, RubricCriterion


@register(RubricCriterion)
class RubricCriterionTranslation(TranslationOptions):
    fields = ("name", "description")


@register(ConsentText)
class ConsentTextTranslation(TranslationOptions):
    fields = ("text",)
