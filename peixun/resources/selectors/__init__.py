"""Every read of this app: one module per topic, re-exported here."""

from .sites import *  # noqa: F403
