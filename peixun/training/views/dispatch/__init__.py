"""Pages of dispatch (调训): places per unit, nominations, the organiser's decisions, named
dispatch, substitution, withdrawal, the roster export and the dispatch notice.

Access, uniformly (the persona tests document each page):
- anonymous → login (302);
- a class the actor cannot see → 404 (a branch secretary sees a class only when their subtree
  has places in it or members enrolled in it);
- a class the actor sees but a page they may not use (a viewer or a unit on the organiser's
  pages, a plain member on the roster) → 403;
- the roster shows the organiser's readers everything and a unit its own nominations;
- "places to fill" is for people who manage some org (404 for the rest, like the other
  managers' pages); a notice is for the enrolled member, the organiser and the member's unit.
"""

from .choose import enrolment_action, name_members, nominate
from .places import quota_change, quotas
from .roster import my_places, notice_docx, notice_file, notices_batch, roster, roster_export

__all__ = [
    "enrolment_action",
    "my_places",
    "name_members",
    "nominate",
    "notice_docx",
    "notice_file",
    "notices_batch",
    "quota_change",
    "quotas",
    "roster",
    "roster_export",
]
