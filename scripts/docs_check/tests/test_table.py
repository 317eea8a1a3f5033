"""The docs-check table lists every download route of the URLconf (so `make test` already fails
when a route is added without its row), and the route finder does find file-giving views."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from ..discover import download_routes, hands_out_file
from ..table import TABLE


def test_every_download_route_has_a_row_and_every_row_a_route() -> None:
    found = download_routes()
    listed = {row.route for row in TABLE}
    assert sorted(set(found) - listed) == []
    assert sorted(listed - set(found)) == []
    # The finder sees pages and API operations alike.
    assert "compliance:ledger" in found
    assert "api:peixun_plans_api_document" in found


def test_row_keys_are_unique_and_fetched_rows_say_what_they_get() -> None:
    keys = [row.key for row in TABLE]
    assert len(keys) == len(set(keys))
    for row in TABLE:
        assert row.skip or row.ext in {"docx", "xlsx", "pdf", "zip"}, row.key


def _file_helper(data: bytes) -> HttpResponse:
    return HttpResponse(data, content_type="application/pdf")


def _page_view(request: HttpRequest) -> HttpResponse:
    return _file_helper(b"%PDF")


def _json_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"{}", content_type="application/json")


def test_a_view_is_a_download_through_a_helper_of_its_module() -> None:
    assert hands_out_file(_page_view)
    assert not hands_out_file(_json_view)
