"""Admin for mail."""
