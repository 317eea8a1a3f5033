"""The member's pages and API routes: personas, range streaming, the quiz form, the archive."""

from __future__ import annotations

import json

from django.test import override_settings

from peixun.learning.models import Completion, ItemProgress, Strike
from peixun.learning.views.member_media import parse_range
from peixun.testing import PersonaTestCase

from .fixtures import MEDIA, WEBM, age_session, item_of, make_course

API = "/api/v1/learning"


def test_parse_range() -> None:
    assert parse_range("", 100) is None
    assert parse_range("bytes=0-9", 100) == (0, 9)
    assert parse_range("bytes=90-", 100) == (90, 99)
    assert parse_range("bytes=-10", 100) == (90, 99)
    assert parse_range("bytes=50-500", 100) == (50, 99)
    assert parse_range("bytes=100-", 100) is False
    assert parse_range("bytes=9-3", 100) is False
    assert parse_range("bytes=-0", 100) is False
    assert parse_range("bytes=0-1,5-6", 100) is None  # several ranges: the whole file
    assert parse_range("items=0-1", 100) is None


@override_settings(MEDIA_ROOT=MEDIA)
class MemberPageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.course = make_course(cls.world, seconds=60, move_on="watched_and_passed", document=True)
        cls.video = item_of(cls.course, "video")
        cls.quiz = item_of(cls.course, "quiz")
        cls.doc = item_of(cls.course, "document")

    def test_my_courses_personas(self) -> None:
        # Staff without a member record have no courses of their own: 404, as elsewhere.
        self.expect_personas(
            "/learning/mine/",
            {"anonymous": 302, "member": 200, "secretary": 200, "other_secretary": 200,
             "org_admin": 404, "viewer": 404},
        )  # fmt: skip
        page = self.client_for("member").get("/learning/mine/").content.decode()
        self.assertIn(self.course.title, page)
        self.assertIn('id="learning-goal"', page)

    def test_course_page_personas(self) -> None:
        url = f"/learning/courses/{self.course.pk}/"
        self.expect_personas(
            url,
            {"anonymous": 302, "member": 200, "secretary": 200, "other_secretary": 200,
             "org_admin": 404, "viewer": 404},
        )  # fmt: skip
        far = make_course(self.world, org=self.world.far_unit, title="他单位课程", quiz=False,
                          move_on="watched")  # fmt: skip
        self.assertEqual(
            self.client_for("member").get(f"/learning/courses/{far.pk}/").status_code, 404
        )
        page = self.client_for("member").get(url).content.decode()
        self.assertIn('id="player"', page)  # the video first: where the member starts
        self.assertIn("learning/player.js", page)
        quiz_page = self.client_for("member").get(f"{url}?item={self.quiz.pk}").content.decode()
        self.assertIn("课程测验判断题0", quiz_page)
        self.assertNotIn('"key"', quiz_page)
        self.assertEqual(self.client_for("member").get(f"{url}?item=999999").status_code, 404)

    def test_media_streams_byte_ranges(self) -> None:
        # Files live in each test's own media folder (conftest): made here, not per class.
        course = make_course(self.world, seconds=60, quiz=False, document=True, move_on="watched")
        self.video, self.doc = item_of(course, "video"), item_of(course, "document")
        url = f"/learning/items/{self.video.pk}/media"
        self.expect_personas(
            url,
            {"anonymous": 302, "member": 200, "secretary": 200, "other_secretary": 200,
             "org_admin": 200, "viewer": 200},
        )  # fmt: skip
        client = self.client_for("member")
        whole = client.get(url)
        self.assertEqual(b"".join(whole.streaming_content), WEBM)
        self.assertEqual(whole["Accept-Ranges"], "bytes")
        part = client.get(url, headers={"Range": "bytes=0-3"})
        self.assertEqual(part.status_code, 206)
        self.assertEqual(part["Content-Range"], f"bytes 0-3/{len(WEBM)}")
        self.assertEqual(b"".join(part.streaming_content), WEBM[:4])
        self.assertEqual(part["Content-Type"], "video/webm")
        tail = client.get(url, headers={"Range": "bytes=-4"})
        self.assertEqual(b"".join(tail.streaming_content), WEBM[-4:])
        bad = client.get(url, headers={"Range": f"bytes={len(WEBM)}-"})
        self.assertEqual(bad.status_code, 416)
        self.assertEqual(bad["Content-Range"], f"bytes */{len(WEBM)}")
        # A quiz has no file; a row whose file is gone is a 404, not a 500.
        self.assertEqual(client.get(f"/learning/items/{self.quiz.pk}/media").status_code, 404)
        pdf = client.get(f"/learning/items/{self.doc.pk}/media")
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertIn("frame-ancestors 'self'", pdf["Content-Security-Policy"])
        self.doc.file.storage.delete(self.doc.file.name)
        self.assertEqual(client.get(f"/learning/items/{self.doc.pk}/media").status_code, 404)

    def test_quiz_form_and_archive_evidence(self) -> None:
        client = self.client_for("member")
        qids = list(self.quiz.questions.order_by("id").values_list("pk", flat=True))
        url = f"/learning/courses/{self.course.pk}/quiz/{self.quiz.pk}/"
        self.expect_personas(
            url,
            {"anonymous": 302, "member": 302, "secretary": 302, "other_secretary": 302,
             "org_admin": 404, "viewer": 404},
            method="post", data={},
        )  # fmt: skip
        response = client.post(url, {f"q{q}": "true" for q in qids})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(self.quiz.attempts.filter(member=self.world.member, passed=True).exists())
        # Read the PDF, watch the minute: the course completes and the archive shows why.
        self.assertEqual(client.post(f"{API}/items/{self.doc.pk}/open").status_code, 200)
        token = client.post(f"{API}/items/{self.video.pk}/play").json()["token"]
        age_session(self.world.member.pk, 60)
        r = client.post(
            f"{API}/items/{self.video.pk}/progress",
            json.dumps({"token": token, "intervals": [[0, 60]], "elapsed": 60, "position": 60}),
            content_type="application/json",
        ).json()
        self.assertTrue(r["accepted"] and r["completed"], r)
        completion = Completion.objects.get(member=self.world.member)
        archive = client.get(f"/hours/members/{self.world.member.pk}/")
        if archive.status_code == 404:  # the archive's address, wherever hours mounts it
            from django.urls import reverse

            archive = client.get(reverse("compliance:member", args=[self.world.member.pk]))
        text = archive.content.decode()
        self.assertIn(self.course.title, text)
        self.assertIn("1.0", text)  # 1.0 of 1.0 minutes watched
        self.assertIn(str(completion.quiz_percent), text)


@override_settings(MEDIA_ROOT=MEDIA)
class ApiTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.course = make_course(cls.world, seconds=60, quiz=True, move_on="watched_or_passed")
        cls.video = item_of(cls.course, "video")
        cls.quiz = item_of(cls.course, "quiz")

    def test_course_routes_personas(self) -> None:
        members_only = {"anonymous": 401, "member": 200, "secretary": 200,
                        "other_secretary": 200, "org_admin": 200, "viewer": 200}  # fmt: skip
        self.expect_personas(f"{API}/courses", members_only)
        self.expect_personas(f"{API}/completions", members_only)
        self.expect_personas(
            f"{API}/courses/{self.course.pk}",
            {**members_only, "org_admin": 404, "viewer": 404},
        )
        listed = self.client_for("org_admin").get(f"{API}/courses").json()
        self.assertEqual(listed, [])  # staff without a member record learn nothing
        mine = self.client_for("member").get(f"{API}/courses/{self.course.pk}").json()
        self.assertEqual([i["kind"] for i in mine["items"]], ["video", "quiz"])
        self.assertEqual(mine["percent"], 0)

    def test_write_routes_personas(self) -> None:
        self.expect_personas(
            f"{API}/items/{self.video.pk}/play",
            {"anonymous": 401, "member": 200, "secretary": 200, "other_secretary": 200,
             "org_admin": 404, "viewer": 404},
            method="post",
        )  # fmt: skip
        self.expect_personas(
            f"{API}/items/{self.quiz.pk}/quiz",
            {"anonymous": 401, "member": 200, "secretary": 200, "other_secretary": 200,
             "org_admin": 404, "viewer": 404},
        )  # fmt: skip
        questions = self.client_for("member").get(f"{API}/items/{self.quiz.pk}/quiz").json()
        self.assertTrue(questions and all("key" not in q for q in questions))
        self.expect_personas(
            f"{API}/presence",
            {"anonymous": 401, "member": 422, "secretary": 422, "other_secretary": 422,
             "org_admin": 404, "viewer": 404},
            method="post", data=json.dumps({"token": "x"}), content_type="application/json",
        )  # fmt: skip

    def test_reports_over_the_api(self) -> None:
        client = self.client_for("member")
        url = f"{API}/items/{self.video.pk}/progress"
        token = client.post(f"{API}/items/{self.video.pk}/play").json()["token"]

        def send(body: dict[str, object]) -> object:
            return client.post(url, json.dumps(body), content_type="application/json")

        age_session(self.world.member.pk, 10)
        ok = send({"token": token, "intervals": [[0, 10]], "elapsed": 10, "position": 10}).json()  # type: ignore[attr-defined]
        self.assertTrue(ok["accepted"])
        self.assertEqual(ok["unique_seconds"], 10)
        age_session(self.world.member.pk, 10)
        skip = send({"token": token, "intervals": [[40, 50]], "elapsed": 10}).json()  # type: ignore[attr-defined]
        self.assertEqual((skip["accepted"], skip["reason"]), (False, "skip"))
        bad = send({"token": token, "intervals": [[0, 9999]], "elapsed": 10})
        self.assertEqual(bad.status_code, 422)  # type: ignore[attr-defined]
        missing = send({"token": token})
        self.assertEqual(missing.status_code, 422)  # type: ignore[attr-defined]
        self.assertEqual(ItemProgress.objects.get(item=self.video).unique_seconds, 10)
        self.assertEqual(list(Strike.objects.values_list("reason", flat=True)), ["skip"])
        # Another member's item number is not theirs to report on.
        far = make_course(self.world, org=self.world.far_unit, title="他单位", quiz=False,
                          move_on="watched")  # fmt: skip
        self.assertEqual(
            client.post(f"{API}/items/{item_of(far, 'video').pk}/progress",
                        json.dumps({"token": token, "intervals": [], "elapsed": 1}),
                        content_type="application/json").status_code,
            404,
        )  # fmt: skip

    def test_quiz_and_completions_over_the_api(self) -> None:
        client = self.client_for("member")
        qids = self.quiz.questions.values_list("pk", flat=True)
        body = json.dumps({"answers": {str(q): True for q in qids}})
        first = client.post(
            f"{API}/items/{self.quiz.pk}/quiz", body, content_type="application/json"
        )
        again = client.post(
            f"{API}/items/{self.quiz.pk}/quiz", body, content_type="application/json"
        )
        self.assertEqual(first.json()["id"], again.json()["id"])
        self.assertTrue(first.json()["passed"])
        done = client.get(f"{API}/completions").json()
        self.assertEqual(len(done), 1)
        self.assertEqual(done[0]["course"], self.course.pk)
        self.assertEqual(done[0]["hours"], "0.75")  # a short video 0.25 + a passed quiz 0.5
        self.assertIn("100.0", done[0]["evidence"])
        bad = client.post(f"{API}/items/{self.quiz.pk}/quiz", json.dumps({"answers": []}),
                          content_type="application/json")  # fmt: skip
        self.assertEqual(bad.status_code, 422)
        # Other personas see only their own.
        self.assertEqual(self.client_for("secretary").get(f"{API}/completions").json(), [])
