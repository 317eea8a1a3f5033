"""Serving a course's video or PDF with HTTP range requests (RFC 9110 §14), so a phone's
<video> can seek and stream without fetching the whole file. Django's FileResponse sends the
whole file; this sends the byte range asked for (one range: what every media player asks)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """The inclusive (first, last) byte of a single `Range: bytes=…` header for a file of
    `size` bytes; None when there is no usable Range (send it all); False when it cannot be
    satisfied (416)."""
    match = _RANGE.match(header.strip()) if header else None
    if match is None:
        return None  # absent, several ranges, or another unit: the whole file is a valid answer
    first_raw, last_raw = match.groups()
    if not first_raw and not last_raw:
        return None
    if not first_raw:  # a suffix: the last N bytes
        length = int(last_raw)
        if length == 0:
            return False
        return max(size - length, 0), size - 1
    first = int(first_raw)
    last = int(last_raw) if last_raw else size - 1
    if first >= size or last < first:
        return False
    return first, min(last, size - 1)


def _chunks(handle: IO[bytes], first: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(first)
        left = length
        while left > 0:
            data = handle.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data
    finally:
        handle.close()


def ranged_file_response(
    request: HttpRequest, field: FieldFile, content_type: str
) -> HttpResponse | StreamingHttpResponse:
    try:
        size = field.size
    except FileNotFoundError:
        raise Http404 from None  # the row outlived its file (a restore without media)
    wanted = parse_range(request.headers.get("Range", ""), size)
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = wanted if isinstance(wanted, tuple) else (0, size - 1)
    length = max(last - first + 1, 0)
    handle = field.storage.open(field.name, "rb")
    streaming = StreamingHttpResponse(
        _chunks(handle, first, length),
        status=206 if isinstance(wanted, tuple) else 200,
        content_type=content_type,
    )
    streaming["Content-Length"] = str(length)
    streaming["Accept-Ranges"] = "bytes"
    if isinstance(wanted, tuple):
        streaming["Content-Range"] = f"bytes {first}-{last}/{size}"
    # Shown in the page, never offered as a download; a member's private study material.
    streaming["Content-Disposition"] = "inline"
    streaming["Cache-Control"] = "private, max-age=3600"
    return streaming
