"""Pages of online learning: the member's courses and player (member*), the staff catalogue
and online classes (added by their modules)."""

from django.urls import URLPattern, URLResolver, path

from .views import imports, member, reading
from .views import staff_catalogue as catalogue
from .views import staff_classes as classes

app_name = "learning"
urlpatterns: list[URLPattern | URLResolver] = [
    path("mine/", member.my_courses, name="mine"),
    path("courses/<int:pk>/", member.course_page, name="course"),
    path("courses/<int:pk>/quiz/<int:item_pk>/", member.quiz_submit, name="quiz_submit"),
    path("items/<int:item_pk>/media", member.item_media, name="media"),
    # Staff: the catalogue, online classes (网络专题班) and the strikes log.
    path("catalogue/", catalogue.catalogue, name="staff_catalogue"),
    path("catalogue/new/", catalogue.course_new, name="staff_course_new"),
    path("catalogue/<int:course_id>/", catalogue.course_detail, name="staff_course"),
    path("catalogue/<int:course_id>/edit/", catalogue.course_edit, name="staff_course_edit"),
    path("catalogue/<int:course_id>/items/new/", catalogue.item_new, name="staff_item_new"),
    path(
        "catalogue/<int:course_id>/items/<int:item_id>/remove/",
        catalogue.item_remove,
        name="staff_item_remove",
    ),
    path(
        "catalogue/<int:course_id>/publish/", catalogue.course_publish, name="staff_course_publish"
    ),
    path("catalogue/<int:course_id>/retire/", catalogue.course_retire, name="staff_course_retire"),
    path("strikes/", catalogue.strikes, name="staff_strikes"),
    path("classes/", classes.class_list, name="staff_classes"),
    path("classes/new/", classes.class_new, name="staff_class_new"),
    path("classes/<int:online_class_id>/", classes.class_detail, name="staff_class"),
    path("classes/<int:online_class_id>/edit/", classes.class_edit, name="staff_class_edit"),
    path(
        "classes/<int:online_class_id>/courses/", classes.class_courses, name="staff_class_courses"
    ),
    path(
        "classes/<int:online_class_id>/publish/", classes.class_publish, name="staff_class_publish"
    ),
    path("classes/<int:online_class_id>/cancel/", classes.class_cancel, name="staff_class_cancel"),
    path("classes/<int:online_class_id>/remind/", classes.class_remind, name="staff_class_remind"),
    path(
        "classes/<int:online_class_id>/progress.xlsx",
        classes.class_progress_xlsx,
        name="staff_class_progress_xlsx",
    ),
    # 必读书目: reading lists (staff), the 心得 queue, and the member's own books.
    path("reading/", reading.list_index, name="reading_lists"),
    path("reading/new/", reading.list_new, name="reading_list_new"),
    path("reading/queue/", reading.queue, name="reading_queue"),
    path(
        "reading/reflections/<int:pk>/approve/",
        reading.reflection_approve,
        name="reading_reflection_approve",
    ),
    path(
        "reading/reflections/<int:pk>/return/",
        reading.reflection_return,
        name="reading_reflection_return",
    ),
    path("reading/mine/", reading.mine, name="reading_mine"),
    path("reading/mine/<int:book_id>/", reading.my_book, name="reading_book"),
    path("reading/<int:pk>/", reading.list_detail, name="reading_list"),
    path("reading/<int:pk>/edit/", reading.list_edit, name="reading_list_edit"),
    path("reading/<int:pk>/books/new/", reading.book_new, name="reading_book_new"),
    path("reading/<int:pk>/books/<int:book_id>/", reading.book_edit, name="reading_book_edit"),
    path(
        "reading/<int:pk>/books/<int:book_id>/remove/",
        reading.book_remove,
        name="reading_book_remove",
    ),
    path("reading/<int:pk>/progress.xlsx", reading.progress_xlsx, name="reading_progress_xlsx"),
    # External records import (学习强国, 干部网络学院 …): docs/learning.md "External records".
    path("imports/", imports.index, name="imports"),
    path("imports/sources/new/", imports.source_new, name="import_source_new"),
    path("imports/sources/<int:pk>/", imports.source_edit, name="import_source"),
    path("imports/<int:pk>/", imports.batch_detail, name="import_batch"),
    path("imports/<int:pk>/progress/", imports.batch_progress, name="import_progress"),
    path("imports/<int:pk>/review/", imports.review, name="import_review"),
    path("imports/<int:pk>/apply/", imports.batch_apply, name="import_apply"),
    path("imports/lines/<int:pk>/pick/", imports.line_pick, name="import_pick"),
]
