"""The unattended nightly sync: files dropped in IMPORT_DIR, imported in order, then the scan."""
