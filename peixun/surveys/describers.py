"""The audit trail's sentences for this app (core.describers). Each topic adds its verbs to
ACTIONS and its object namers to NAMERS."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils.functional import Promise

ACTIONS: dict[str, str | Promise] = {}
NAMERS: dict[str, Callable[[set[str]], Mapping[str, str]]] = {}
