"""Applicant-facing views, one module per area."""
