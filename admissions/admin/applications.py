"""Admin for applications."""
