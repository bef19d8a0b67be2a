"""Media library pages: browse and search, upload, a file's page (descriptions, focal point,
usage), the workspace's media settings, and the files themselves, served only to the
workspace's people."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from liant.core import audit
from liant.core.access import WorkspaceRequest, check, workspace_view
from liant.media import addresses, images, library, signed
from liant.media.forms import FolderForm, ItemForm, MediaSettingsForm, UploadForm, split_tags
from liant.media.models import Folder, MediaItem, MediaSettings, Rendition
from liant.publishing.models import Post

SHOWN = 200


def items_of(request: WorkspaceRequest):  # noqa: ANN201 - a queryset
    """The workspace's own files: the ones it may change."""
    return MediaItem.objects.filter(workspace=request.workspace)


def visible_of(request: WorkspaceRequest):  # noqa: ANN201 - a queryset
    """Its own files and those shared by its organisation: the ones it may see and use."""
    return library.visible_items(request.workspace)


@workspace_view("posts.view")
def library_page(request: WorkspaceRequest) -> HttpResponse:
    # "organisation": the files the organisation's other workspaces share, read-only here.
    scope = "organisation" if request.GET.get("scope") == "organisation" else ""
    if scope:
        items = visible_of(request).exclude(workspace=request.workspace).select_related("workspace")
    else:
        items = items_of(request).select_related("folder")
    query = request.GET.get("q", "").strip()
    if query:
        items = library.search(items, query)
    folder = None
    folder_id = request.GET.get("folder", "")
    if folder_id.isdigit():
        folder = get_object_or_404(Folder, pk=int(folder_id), workspace=request.workspace)
        items = items.filter(folder=folder)
    tag = request.GET.get("tag", "").strip().lower()
    if tag:
        items = items.filter(tags__contains=f",{tag},")
    folders = Folder.objects.filter(workspace=request.workspace).annotate(count=Count("items"))
    return render(
        request,
        "media/library.html",
        {
            "items": items[:SHOWN],
            "total": items.count(),
            "shown": SHOWN,
            "query": query,
            "folder": folder,
            "tag": tag,
            "scope": scope,
            "folders": folders,
            "upload_form": UploadForm(workspace=request.workspace, initial={"folder": folder}),
            "folder_form": FolderForm(),
            "can_write": request.membership.can("posts.write"),
            "can_manage": request.membership.can("workspace.manage"),
        },
    )


@workspace_view("posts.write")
@require_POST
def upload(request: WorkspaceRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES, workspace=request.workspace)
    back = reverse("media", kwargs={"ws": request.workspace.slug})
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    folder = form.cleaned_data["folder"]
    tags = split_tags(form.cleaned_data["tags"])
    kept = 0
    # Each file is kept or refused alone: one bad file does not cost the others.
    for upload_file in form.cleaned_data["images"]:
        try:
            stored = library.store_upload(
                request.workspace, upload_file, user=request.user, folder=folder, tags=tags
            )
        except images.Refused as refused:
            messages.error(request, str(refused))
            continue
        kept += 1
        if stored.note:
            messages.info(request, stored.note)
        audit.record(request, "media.uploaded", target=stored.item)
    if kept:
        messages.success(
            request,
            ngettext("%(count)d image added.", "%(count)d images added.", kept) % {"count": kept},
        )
    if folder is not None:
        back += f"?folder={folder.pk}"
    return redirect(back)


@workspace_view("posts.write")
@require_POST
def folder_new(request: WorkspaceRequest) -> HttpResponse:
    form = FolderForm(request.POST)
    if form.is_valid():
        name = form.cleaned_data["name"].strip()
        folder, created = Folder.objects.get_or_create(workspace=request.workspace, name=name)
        if created:
            messages.success(request, _("Folder created."))
        return redirect(
            f"{reverse('media', kwargs={'ws': request.workspace.slug})}?folder={folder.pk}"
        )
    messages.error(request, _("Give the folder a name."))
    return redirect("media", ws=request.workspace.slug)


@workspace_view("posts.view")
def item_page(request: WorkspaceRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(visible_of(request).select_related("workspace"), pk=pk)
    own = item.workspace_id == request.workspace.pk
    if request.method == "POST" and not own:
        raise Http404  # another workspace's shared file is read-only here
    can_share = request.membership.can("workspace.manage")
    form = ItemForm(request.POST or None, instance=item, can_share=can_share)
    if request.method == "POST":
        check(request.membership, "posts.write")
        if form.is_valid():
            form.save()
            audit.record(request, "media.changed", target=item)
            messages.success(request, _("Saved."))
            return redirect("media_item", ws=request.workspace.slug, pk=item.pk)
    usage = (
        Post.objects.filter(workspace=request.workspace, variants__media__library_item=item)
        .distinct()
        .order_by("-created_at")
    )
    return render(
        request,
        "media/item.html",
        {
            "item": item,
            "form": form,
            "usage": usage,
            "renditions": item.renditions.all() if own else [],
            "own": own,
            "can_write": own and request.membership.can("posts.write"),
        },
    )


@workspace_view("posts.write")
@require_POST
def item_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(items_of(request), pk=pk)
    if not library.delete_item(item):
        messages.error(request, _("This file is used by posts; remove it from them first."))
        return redirect("media_item", ws=request.workspace.slug, pk=pk)
    audit.record(request, "media.deleted", name=item.name)
    messages.success(request, _("Deleted."))
    return redirect("media", ws=request.workspace.slug)


@workspace_view("workspace.manage")
def media_settings(request: WorkspaceRequest) -> HttpResponse:
    form = MediaSettingsForm(request.POST or None, instance=MediaSettings.of(request.workspace))
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(
            request,
            "media.settings_changed",
            alt_text_policy=form.cleaned_data["alt_text_policy"],
            keep_metadata=form.cleaned_data["keep_metadata"],
            private=form.cleaned_data["private"],
        )
        messages.success(request, _("Saved."))
        return redirect("media", ws=request.workspace.slug)
    return render(request, "media/settings.html", {"form": form})


def serve(field_file, content_type: str, name: str) -> HttpResponse:  # noqa: ANN001
    """A stored file, for a person of the workspace only. The headers stop a browser from
    running it as anything but the image it was checked to be."""
    try:
        handle = field_file.open("rb")
    except (OSError, ValueError):  # gone from the storage, or never had a file
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, filename=name)  # inline
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    # Private: a shared cache must never keep a workspace's file for someone else.
    response["Cache-Control"] = "private, max-age=3600"
    # Streamed, not read into memory; typed as the views are (every response is sent alike).
    return cast(HttpResponse, response)


def private_redirect(request: WorkspaceRequest, kind: str, obj: MediaItem | Rendition):  # noqa: ANN201
    """A private workspace's file is never at a lasting address: the plain one (still kept by
    pages that are not the library's, and by old links) sends its people to a signed one."""
    if addresses.is_private(addresses.owner_id(obj)):
        return redirect(addresses.signed_address(request.workspace, kind, obj))
    return None


def serve_kind(request: WorkspaceRequest, kind: str, obj: MediaItem | Rendition) -> HttpResponse:
    field, content_type = addresses.stored(kind, obj)
    if kind == "thumbnail":
        name = "thumbnail.webp"
    elif kind == "rendition":
        name = (field.name or "").rsplit("/", 1)[-1]
    else:
        name = cast(MediaItem, obj).name
    return serve(field, content_type, name)


@workspace_view("posts.view")
def item_file(request: WorkspaceRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(visible_of(request), pk=pk)
    return private_redirect(request, "file", item) or serve_kind(request, "file", item)


@workspace_view("posts.view")
def item_thumbnail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(visible_of(request), pk=pk)
    return private_redirect(request, "thumbnail", item) or serve_kind(request, "thumbnail", item)


def own_rendition(request: WorkspaceRequest, pk: int) -> Rendition:
    return get_object_or_404(
        Rendition.objects.select_related("item"), pk=pk, item__workspace=request.workspace
    )


@workspace_view("posts.view")
def rendition_file(request: WorkspaceRequest, pk: int) -> HttpResponse:
    made = own_rendition(request, pk)
    return private_redirect(request, "rendition", made) or serve_kind(request, "rendition", made)


@workspace_view("posts.view")
def signed_file(request: WorkspaceRequest, token: str) -> HttpResponse:
    """A private workspace's file on local storage, at an address that expires. The token
    names one file and the workspace it was given in; the person must still be one of that
    workspace's (Liant can check both here, where an S3 presigned address checks only its
    signature). Expired, changed or another workspace's: 403."""
    try:
        kind, pk = addresses.read_token(request.workspace, token)
    except signed.Refused:
        raise PermissionDenied from None
    obj: MediaItem | Rendition
    if kind == "rendition":
        obj = own_rendition(request, pk)
    else:
        obj = get_object_or_404(visible_of(request), pk=pk)
    response = serve_kind(request, kind, obj)
    # No longer than the address itself works.
    response["Cache-Control"] = "private, max-age=600"
    return response
