"""Admission dates as iCalendar feeds: one per applicant (secret address) and one per cycle."""
