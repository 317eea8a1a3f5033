"""Pages of evaluations, needs surveys, competitions and 述学评学."""

from django.urls import path

from .views import needs

app_name = "surveys"

urlpatterns = [
    path("needs/", needs.needs_list, name="needs_list"),
    path("needs/new/", needs.needs_new, name="needs_new"),
    path("needs/<int:pk>/", needs.needs_detail, name="needs_detail"),
    path("needs/<int:pk>/open/", needs.needs_open, name="needs_open"),
    path("needs/<int:pk>/invite/", needs.needs_invite, name="needs_invite"),
    path("needs/<int:pk>/close/", needs.needs_close, name="needs_close"),
    path("needs/<int:pk>/results/", needs.needs_results, name="needs_results"),
    path("needs/<int:pk>/results.xlsx", needs.needs_results_xlsx, name="needs_results_xlsx"),
    path("needs/<int:pk>/cite/", needs.needs_cite, name="needs_cite"),
    path(
        "needs/<int:pk>/citations/<int:citation_pk>/withdraw/",
        needs.needs_uncite,
        name="needs_uncite",
    ),
]
