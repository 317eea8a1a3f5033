"""peixun's URLs plus one bare view: the floor of the sign-in benchmark.

The floor answers a POST of the same JSON body through the same gunicorn, WSGI handler and
middleware stack as the sign-in route, but does no authentication and no database work.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from peixun.urls import urlpatterns as peixun_urlpatterns

FLOOR_PATH = "bench/floor/"


@csrf_exempt
def floor(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "length": len(request.body)})


urlpatterns = [path(FLOOR_PATH, floor), *peixun_urlpatterns]
