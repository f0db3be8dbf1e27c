"""Admin for awards."""
