from django.urls import include, path

from .api import api
from .core.urlgroups import grouped_by_first_segment
from .hours import urls as hours_urls
from .members import urls as members_urls

urlpatterns = [
    # First: the API carries the hot paths (a QR sign-in burst), and Django tries the patterns in
    # order; no page's URL begins with api/. Ninja's flat list of routes is nested by their first
    # segment (events/, training/ …), so a path is not tried against every route before it.
    path("api/v1/", (grouped_by_first_segment(api.urls[0]), *api.urls[1:])),
    path("", include("peixun.core.urls")),
    path("accounts/", include("peixun.accounts.urls")),
    path("orgs/", include("peixun.orgs.urls")),
    path("members/", include("peixun.members.urls")),
    path("members/roster/", include(members_urls.roster_patterns)),
    path("hours/", include("peixun.hours.urls")),
    path("compliance/", include(hours_urls.compliance_patterns)),
    path("training/", include("peixun.training.urls")),
    path("events/", include("peixun.events.urls")),
    path("plans/", include("peixun.plans.urls")),
    path("orglife/", include("peixun.orglife.urls")),
    path("exams/", include("peixun.exams.urls")),
    path("spending/", include("peixun.spending.urls")),
    path("learning/", include("peixun.learning.urls")),
    path("resources/", include("peixun.resources.urls")),
    path("surveys/", include("peixun.surveys.urls")),
    path("reports/", include("peixun.reports.urls")),
]
