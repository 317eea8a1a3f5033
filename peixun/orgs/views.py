from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def tree(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
