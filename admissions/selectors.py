"""Reusable reads of the admissions app. Sections per area; keep each self-contained."""
