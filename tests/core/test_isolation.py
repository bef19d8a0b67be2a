"""Every URL that takes a workspace refuses people from other workspaces.

The test walks the URL configuration, so pages added by later modules are covered without
anyone remembering to add them here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

SAMPLE_VALUES = {
    "int": "1",
    "slug": "sample",
    "str": "sample",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "sample",
}


def walk(patterns: list, prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def workspace_routes() -> list[str]:
    return sorted({route for route in walk(get_resolver().url_patterns) if "<slug:ws>" in route})


def fill(route: str, workspace_slug: str, ids: dict[str, str] | None = None) -> str:
    def replace(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if name == "ws":
            return workspace_slug
        if ids and name in ids:
            return ids[name]
        return SAMPLE_VALUES.get(converter, "sample")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", replace, route)


def test_the_walk_finds_the_core_workspace_pages():
    routes = workspace_routes()
    assert "w/<slug:ws>/" in routes
    assert "w/<slug:ws>/team/" in routes
    assert len(routes) >= 8


@pytest.mark.parametrize("route", workspace_routes())
def test_an_outsider_gets_404_on_every_workspace_url(
    route, workspace, owner, member, outsider_client
):
    # Real ids of the victim workspace's objects, so a view that forgets the workspace filter
    # would find them and answer 200.
    ids = {"pk": str(member.memberships.get().pk), "module": "inbox"}
    url = fill(route, workspace.slug, ids)
    for method in ("get", "post"):
        response = getattr(outsider_client, method)(url)
        assert response.status_code == 404, f"{method.upper()} {url} gave {response.status_code}"


@pytest.mark.parametrize("route", workspace_routes())
def test_an_anonymous_visitor_is_sent_to_sign_in(route, workspace, client):
    url = fill(route, workspace.slug)
    response = client.get(url)
    assert response.status_code == 302, url
    assert response["Location"].startswith("/account/login/")


@pytest.mark.parametrize("route", workspace_routes())
def test_a_member_reaches_every_workspace_page_without_a_server_error(
    route, workspace, owner, owner_client
):
    response = owner_client.get(fill(route, workspace.slug, {"module": "inbox"}))
    assert response.status_code < 500


def test_an_unknown_workspace_looks_the_same_as_a_foreign_one(outsider_client, workspace):
    assert outsider_client.get("/w/does-not-exist/").status_code == 404
    assert outsider_client.get(f"/w/{workspace.slug}/").status_code == 404
