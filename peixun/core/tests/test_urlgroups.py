"""peixun.core.urlgroups: the API's routes nested by first segment resolve and reverse exactly as
Ninja's flat list does, in the same order, and far fewer routes are tried on the way."""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.test import SimpleTestCase
from django.urls import URLPattern, URLResolver, path, reverse
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

from peixun.api import api
from peixun.core.urlgroups import grouped_by_first_segment

SAMPLES = {
    "int": "7",
    "str": "x",
    "slug": "x",
    "path": "x/y",
    "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
}


def view(request):  # type: ignore[no-untyped-def]
    return HttpResponse()


def other(request):  # type: ignore[no-untyped-def]
    return HttpResponse()


def sample_path(route: str) -> str:
    """A path the route matches: each converter filled with a value of its kind."""
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)


def flat_and_grouped() -> tuple[URLResolver, URLResolver]:
    flat = api.urls[0]
    return (
        URLResolver(RoutePattern("api/v1/"), flat),
        URLResolver(RoutePattern("api/v1/"), grouped_by_first_segment(flat)),
    )


class GroupedApiTests(SimpleTestCase):
    def test_every_route_resolves_to_the_same_view_with_the_same_arguments(self) -> None:
        flat, grouped = flat_and_grouped()
        routes = [str(entry.pattern) for entry in api.urls[0]]
        self.assertGreater(len(routes), 300)
        for route in routes:
            sample = "api/v1/" + sample_path(route)
            expected, found = flat.resolve(sample), grouped.resolve(sample)
            with self.subTest(route=route):
                self.assertIs(found.func, expected.func)
                self.assertEqual(found.kwargs, expected.kwargs)
                self.assertEqual(found.url_name, expected.url_name)
                self.assertEqual(found.route, expected.route)

    def test_a_path_no_route_matches_is_still_404(self) -> None:
        flat, grouped = flat_and_grouped()
        for sample in ("api/v1/events/x/signin", "api/v1/nowhere/7", "api/v1/events"):
            with self.subTest(sample=sample):
                self.assertRaises(Resolver404, flat.resolve, sample)
                self.assertRaises(Resolver404, grouped.resolve, sample)

    def test_the_served_api_is_grouped_and_reverses_as_before(self) -> None:
        self.assertEqual(
            reverse("api-v1:signin", kwargs={"event_id": 5}), "/api/v1/events/5/signin"
        )
        self.assertEqual(reverse("api-v1:openapi-json"), "/api/v1/openapi.json")
        self.assertEqual(reverse("api-v1:api-root"), "/api/v1/")
        from peixun.urls import urlpatterns

        served = urlpatterns[0].url_patterns
        groups = [str(entry.pattern) for entry in served if isinstance(entry, URLResolver)]
        self.assertIn("events/", groups)
        # The sign-in's route is tried after the segments and its own group, not 100+ routes.
        events = next(entry for entry in served if str(entry.pattern) == "events/")
        assert isinstance(events, URLResolver)
        self.assertLess(served.index(events) + len(events.url_patterns), 45)


class GroupingRulesTests(SimpleTestCase):
    def test_only_neighbouring_routes_of_one_literal_segment_are_grouped(self) -> None:
        patterns = [
            path("a/1", view, name="a1"),
            path("a/2", view, name="a2"),
            path("a/<int:pk>", view, name="a3"),
            path("<int:pk>/a", other, name="num"),  # converter first: stays
            path("a/four", view, name="a4"),  # after another route: not pulled before it
            path("b", view, name="b"),  # no slash: stays
            path("c/1", view, name="c1"),  # a run of two: left flat
            path("c/2", view, name="c2"),
            URLPattern(RegexPattern(r"^d/1$", name="regex"), view, name="regex"),
        ]
        grouped = grouped_by_first_segment(patterns)
        self.assertIsInstance(grouped[0], URLResolver)
        self.assertEqual(str(grouped[0].pattern), "a/")
        self.assertEqual(
            [str(entry.pattern) for entry in grouped[0].url_patterns], ["1", "2", "<int:pk>"]
        )
        self.assertEqual([entry.name for entry in grouped[0].url_patterns], ["a1", "a2", "a3"])
        self.assertEqual(
            [getattr(entry, "name", None) for entry in grouped[1:]],
            ["num", "a4", "b", "c1", "c2", "regex"],
        )
        resolver = URLResolver(RoutePattern(""), grouped)
        self.assertEqual(resolver.resolve("a/7").kwargs, {"pk": 7})
        self.assertEqual(resolver.resolve("a/7").route, "a/<int:pk>")
        self.assertIs(resolver.resolve("7/a").func, other)
        self.assertEqual(resolver.resolve("a/four").url_name, "a4")
        self.assertEqual(resolver.resolve("d/1").url_name, "regex")
