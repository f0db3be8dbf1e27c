"""Applicant-facing forms, one module per area."""
