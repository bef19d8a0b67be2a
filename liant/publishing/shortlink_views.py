"""Short links: the public address that sends a visitor on (and counts the visit), and the
workspace's list of its short links with their clicks."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from liant.core.access import WorkspaceRequest, workspace_view
from liant.publishing import shortener
from liant.publishing.models import ShortLink


@require_http_methods(["GET", "HEAD"])
def follow(request: HttpRequest, code: str) -> HttpResponse:
    """Public: anyone who saw the post follows it. Only ever sends the visitor to the link
    stored for the code (nothing from the request is a destination: not an open redirect)."""
    link = ShortLink.objects.filter(code=code).first()
    if link is None:
        raise Http404
    if request.method == "GET":  # a HEAD is a link checker or a preview, not a visit
        shortener.count_click(link)
    response = HttpResponseRedirect(link.target_url)
    # Each visit reaches us, so each is counted; search engines index the target, not us.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@workspace_view("posts.view")
def short_links(request: WorkspaceRequest) -> HttpResponse:
    links = (
        ShortLink.objects.filter(workspace=request.workspace)
        .select_related("variant__post", "variant__channel")
        .order_by("-created_at", "-id")[:500]
    )
    return render(
        request,
        "publishing/short_links.html",
        {"links": [(link, shortener.absolute(link)) for link in links]},
    )
