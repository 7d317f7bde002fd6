"""A test-only app with one kind of leased work, installed only in subprocess tests
(`ascolto.core.tests.subprocess_settings`), to exercise real workers end to end."""
