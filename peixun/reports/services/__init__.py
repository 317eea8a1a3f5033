"""Writes of this app: <noun>_<verb>(*, actor, ...), atomic, permission first, audited."""

from .drafts import draft_create, draft_delete, draft_export, draft_update

__all__ = ["draft_create", "draft_delete", "draft_export", "draft_update"]
