"""The demo's landing page: what someone who just ran `make demo` sees at `/`.

It links to the staff workbench (with the demo logins, which exist only in a demo) and to
the demo's community space. Shown only when LIANT_DEMO is set (`make demo` sets it): a real
installation keeps sending visitors who are not signed in to the sign-in page, and never
prints a password. Signed-in people still go straight to their workspace (core.views.home).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from liant.core.permissions import Role
from liant.demo.loader import DEMO_PASSWORD, PERSONAS, WORKSPACES
from liant.space.models import Space


def landing(request: HttpRequest) -> HttpResponse:
    names = {slug: name for slug, name, _language in WORKSPACES}
    people = [
        {
            "name": p.name,
            "email": p.email,
            "roles": [(Role(role).label, names.get(slug, slug)) for slug, role in p.roles.items()],
        }
        for p in PERSONAS
    ]
    spaces = Space.objects.filter(enabled=True, workspace__slug__in=list(names)).select_related(
        "workspace"
    )
    return render(
        request,
        "demo/landing.html",
        {
            "people": people,
            "password": DEMO_PASSWORD,
            "spaces": list(spaces),
            "signin_url": reverse("login"),
        },
    )
