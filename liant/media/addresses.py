"""The address a browser gets for a library file: plain for a public workspace, signed and
expiring for a private one (liant/media/signed.py).

Which workspace decides: the one that owns the file (a file shared with the organisation stays
as private as its owner wants). The token is scoped to the workspace the address is made for
(the one in the path), and names one file: "kind:pk".
"""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.urls import reverse

from liant.core.models import Workspace
from liant.media import signed
from liant.media.models import MediaItem, MediaSettings, Rendition

PURPOSE = "liant.media.file"
KINDS = ("file", "thumbnail", "rendition")
PLAIN = {"file": "media_file", "thumbnail": "media_thumbnail", "rendition": "media_rendition"}


def is_private(workspace_id: int, known: dict[int, bool] | None = None) -> bool:
    """The owner's setting, remembered in `known` for a page of many files."""
    if known is not None and workspace_id in known:
        return known[workspace_id]
    private = MediaSettings.objects.filter(workspace_id=workspace_id, private=True).exists()
    if known is not None:
        known[workspace_id] = private
    return private


def stored(kind: str, obj: MediaItem | Rendition) -> tuple[FieldFile, str]:
    """(the stored file, the type it was checked to be)."""
    if kind == "thumbnail":
        assert isinstance(obj, MediaItem)
        return obj.thumbnail, "image/webp"
    return obj.file, obj.content_type


def owner_id(obj: MediaItem | Rendition) -> int:
    return obj.item.workspace_id if isinstance(obj, Rendition) else obj.workspace_id


def address(
    workspace: Workspace,
    kind: str,
    obj: MediaItem | Rendition,
    *,
    known: dict[int, bool] | None = None,
) -> str:
    """Where `workspace`'s people fetch this file from."""
    if not is_private(owner_id(obj), known):
        return reverse(PLAIN[kind], kwargs={"ws": workspace.slug, "pk": obj.pk})
    return signed_address(workspace, kind, obj)


def signed_address(workspace: Workspace, kind: str, obj: MediaItem | Rendition) -> str:
    field, content_type = stored(kind, obj)
    if field.name and signed.signs_itself(field.storage):
        return signed.presigned_url(field.storage, field.name, content_type=content_type)
    token = signed.sign(f"{kind}:{obj.pk}", purpose=PURPOSE, scope=str(workspace.pk))
    return reverse("media_signed", kwargs={"ws": workspace.slug, "token": token})


def read_token(workspace: Workspace, token: str) -> tuple[str, int]:
    """(kind, pk) of a token made for this workspace and not expired; signed.Refused else."""
    reference = signed.unsign(
        token, purpose=PURPOSE, scope=str(workspace.pk), max_age=signed.url_seconds()
    )
    kind, _, pk = reference.partition(":")
    if kind not in KINDS or not pk.isdigit():
        raise signed.Refused(reference)
    return kind, int(pk)
