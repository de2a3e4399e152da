"""Importing a OneRoster 1.1 or 1.2 CSV export (a directory or a .zip) into the roster."""
