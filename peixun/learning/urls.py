"""Pages of online learning: the member's courses and player (member*), the staff catalogue
and online classes (added by their modules)."""

from django.urls import URLPattern, URLResolver, path

from .views import member

app_name = "learning"
urlpatterns: list[URLPattern | URLResolver] = [
    path("mine/", member.my_courses, name="mine"),
    path("courses/<int:pk>/", member.course_page, name="course"),
    path("courses/<int:pk>/quiz/<int:item_pk>/", member.quiz_submit, name="quiz_submit"),
    path("items/<int:item_pk>/media", member.item_media, name="media"),
]
