"""Every read of the training app, scoped to the actor: classes and their curriculum
(`classes`), dispatch (`dispatch`), whom a class is for (`audience`) and closing (`closing`).
Callers import from here."""

from .classes import (
    class_get,
    class_list,
    class_organisers,
    class_sessions,
    class_with_figures,
    class_years,
    classes_visible,
    organiser_choices,
    session_closing_url,
    session_expected_member_ids,
    sessions_between,
    training_settings_of,
)
from .dispatch import (
    dispatch_quotas,
    enrolment_visible_or_404,
    member_search,
    nomination_pool,
    places_to_fill,
    quota_of_class_or_404,
    roster_enrolments,
    roster_reader_paths,
    roster_state_counts,
    untrained_candidates,
)

__all__ = [
    "class_get",
    "class_list",
    "class_organisers",
    "class_sessions",
    "class_with_figures",
    "class_years",
    "classes_visible",
    "dispatch_quotas",
    "enrolment_visible_or_404",
    "member_search",
    "nomination_pool",
    "organiser_choices",
    "places_to_fill",
    "quota_of_class_or_404",
    "roster_enrolments",
    "roster_reader_paths",
    "roster_state_counts",
    "session_closing_url",
    "session_expected_member_ids",
    "sessions_between",
    "training_settings_of",
    "untrained_candidates",
]
