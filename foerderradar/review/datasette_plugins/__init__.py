"""Datasette plugins loaded by the review web view (plugins_dir)."""
