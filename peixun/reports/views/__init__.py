"""Thin pages over the selectors and services."""
