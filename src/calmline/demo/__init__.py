"""Bundled demo data: a sample angry chat for `calmline demo` and the console."""
