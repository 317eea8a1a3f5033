"""Pages of organisational life: meetings, visits, credit rules and regularity."""

from django.urls import path

from .views import groups, meetings, mine, notechecks, pairs, regularity, rules, visits

app_name = "orglife"

urlpatterns = [
    path("", meetings.meeting_list, name="list"),
    path("export.xlsx", meetings.meeting_export, name="export"),
    path("new/", meetings.meeting_new, name="new"),
    path("mine/", mine.my_meetings, name="mine"),
    path("mine/<int:pk>/", mine.my_meeting, name="mine_detail"),
    path("<int:pk>/", meetings.meeting_detail, name="detail"),
    path("<int:pk>/edit/", meetings.meeting_edit, name="edit"),
    path("<int:pk>/close/", meetings.meeting_close, name="close"),
    path("<int:pk>/reopen/", meetings.meeting_reopen, name="reopen"),
    path("<int:pk>/observers/", meetings.observer_add, name="observer_add"),
    path(
        "<int:pk>/observers/<int:observer_pk>/remove/",
        meetings.observer_remove,
        name="observer_remove",
    ),
    path("<int:pk>/appraisals/", meetings.appraisals_save, name="appraisals"),
    path("<int:pk>/attachments/", meetings.attachment_add, name="attachment_add"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        meetings.attachment_download,
        name="attachment",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/remove/",
        meetings.attachment_remove,
        name="attachment_remove",
    ),
    path("visits/", visits.visit_list, name="visits"),
    path("visits/new/", visits.visit_new, name="visit_new"),
    path("groups/", groups.group_list, name="groups"),
    path("groups/new/", groups.group_new, name="group_new"),
    path("groups/<int:pk>/", groups.group_detail, name="group"),
    path("groups/<int:pk>/edit/", groups.group_edit, name="group_edit"),
    path("groups/<int:pk>/members/", groups.group_member_add, name="group_member_add"),
    path(
        "groups/<int:pk>/members/<int:membership_pk>/remove/",
        groups.group_member_remove,
        name="group_member_remove",
    ),
    path("groups/<int:pk>/meetings/new/", groups.group_meeting_new, name="group_meeting_new"),
    path("pairs/", pairs.pair_list, name="pairs"),
    path("pairs/new/", pairs.pair_new, name="pair_new"),
    path("pairs/<int:pk>/", pairs.pair_detail, name="pair"),
    path("pairs/<int:pk>/visits/new/", pairs.pair_visit_new, name="pair_visit_new"),
    path("pairs/<int:pk>/end/", pairs.pair_end, name="pair_end"),
    path("notechecks/", notechecks.round_list, name="rounds"),
    path("notechecks/new/", notechecks.round_new, name="round_new"),
    path("notechecks/<int:pk>/", notechecks.round_detail, name="round"),
    path("notechecks/<int:pk>/export.xlsx", notechecks.round_export, name="round_export"),
    path(
        "notechecks/<int:pk>/checks/<int:check_pk>/",
        notechecks.check_record,
        name="check_record",
    ),
    path(
        "notechecks/<int:pk>/checks/<int:check_pk>/photo/",
        notechecks.check_photo,
        name="check_photo",
    ),
    path("rules/", rules.rules_page, name="rules"),
    path("regularity/", regularity.branch_calendar, name="regularity"),
    path("regularity/overview/", regularity.overview, name="regularity_overview"),
    path("regularity/record-book/", regularity.record_book_file, name="record_book"),
    path("regularity/record-books/", regularity.record_books_file, name="record_books"),
]
