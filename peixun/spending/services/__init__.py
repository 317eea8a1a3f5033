"""Writes of this app: <noun>_<verb>(*, actor, ...), atomic, permission first, audited."""
