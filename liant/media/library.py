"""Writing to the library: an upload kept whole or not at all, renditions made once, and
what the publisher and the composer ask of it."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liant.connectors import registry
from liant.connectors.base import Capability, ConnectorError, ErrorKind, Media, Rules
from liant.core.models import User, Workspace
from liant.media import images, videos
from liant.media.models import Folder, MediaItem, MediaSettings, Rendition

if TYPE_CHECKING:
    from liant.channels.models import Channel
    from liant.publishing.models import Variant, VariantMedia

log = logging.getLogger(__name__)


def max_bytes() -> int:
    return int(settings.LIANT_MEDIA_MAX_BYTES)


def max_pixels() -> int:
    return int(settings.LIANT_MEDIA_MAX_PIXELS)


def max_video_bytes() -> int:
    return int(settings.LIANT_MEDIA_MAX_VIDEO_BYTES)


def too_large(name: str, size: int, limit: int) -> images.Refused:
    return images.Refused(
        _("%(name)s is too large (%(size)s); the library takes files up to %(limit)s.")
        % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
    )


def corrected_name(name: str, extension: str, label: str) -> tuple[str, str, str]:
    """(file name, stem, note): the name gets the extension of what the bytes are. A JPEG
    called .png is corrected, not refused (the person meant an image, and it is one), and
    told so."""
    stem, current = os.path.splitext(get_valid_filename(name) or "file")
    same = {extension, ".jpeg"} if extension == ".jpg" else {extension}
    note = ""
    if current.lower() not in same:
        note = _("%(name)s is really a %(format)s file: its name now ends in %(extension)s.") % {
            "name": name,
            "format": label,
            "extension": extension,
        }
        current = extension
    return f"{stem[:150]}{current.lower()}", stem[:150], note


@dataclass
class Stored:
    item: MediaItem
    note: str = ""  # said to the person: e.g. the name's extension was corrected


def saved_together(instance: Any, files: list[tuple[str, str, bytes]]) -> None:
    """Save the files then the row in one go: if anything fails, the files already written
    are removed, so no file is left without its row (and no row without its file)."""
    written: list[str] = []
    try:
        with transaction.atomic():
            for field, name, data in files:
                getattr(instance, field).save(name, ContentFile(data), save=False)
                written.append(getattr(instance, field).name)
            instance.save()
    except BaseException:
        for name in written:
            try:
                instance._meta.get_field("file").storage.delete(name)
            except OSError:  # pragma: no cover - the storage is gone too
                log.exception("could not remove %s after a failed save", name)
        raise


def store_upload(
    workspace: Workspace,
    upload: UploadedFile,
    *,
    user: User | None = None,
    folder: Folder | None = None,
    tags: Iterable[str] = (),
) -> Stored:
    """Check, clean and keep one uploaded image; raises images.Refused with the reason."""
    name = os.path.basename(upload.name or "image")
    limit = max(max_bytes(), max_video_bytes())
    if (upload.size or 0) > limit:  # refused before reading it into memory
        raise too_large(name, upload.size or 0, limit)
    data = upload.read()
    if videos.sniff(data):
        return store_video(workspace, data, name, user=user, folder=folder, tags=tags)
    return store_bytes(workspace, data, name, user=user, folder=folder, tags=tags)


def store_video(
    workspace: Workspace,
    data: bytes,
    name: str,
    *,
    user: User | None = None,
    folder: Folder | None = None,
    tags: Iterable[str] = (),
) -> Stored:
    """Keep a video as it is, with its facts and a poster frame as its thumbnail."""
    if len(data) > max_video_bytes():
        raise too_large(name, len(data), max_video_bytes())
    probed = videos.probe(data, name, max_pixels=max_pixels())
    label = probed.extension.lstrip(".").upper()
    filename, stem, note = corrected_name(name, probed.extension, label)
    item = MediaItem(
        workspace=workspace,
        folder=folder,
        name=filename,
        content_type=probed.content_type,
        size=len(data),
        width=probed.width,
        height=probed.height,
        duration=probed.duration,
        codec=probed.codec,
        uploaded_by=user,
    )
    item.set_tags(list(tags))
    saved_together(item, [("file", filename, data), ("thumbnail", f"{stem}.webp", probed.poster)])
    return Stored(item, note)


def store_bytes(
    workspace: Workspace,
    data: bytes,
    name: str,
    *,
    user: User | None = None,
    folder: Folder | None = None,
    tags: Iterable[str] = (),
    alt_text_fr: str = "",
    alt_text_en: str = "",
) -> Stored:
    checked = images.check(data, name, max_bytes=max_bytes(), max_pixels=max_pixels())
    keep = MediaSettings.of(workspace).keep_metadata
    if keep:
        clean, width, height = data, checked.width, checked.height
    else:
        clean, width, height = images.cleaned(data, checked, max_pixels())
    thumb = images.thumbnail(clean, max_pixels())
    filename, stem, note = corrected_name(
        name, checked.extension, checked.format.replace("WEBP", "WebP")
    )
    item = MediaItem(
        workspace=workspace,
        folder=folder,
        name=filename,
        content_type=checked.content_type,
        size=len(clean),
        width=width,
        height=height,
        uploaded_by=user,
        alt_text_fr=alt_text_fr,
        alt_text_en=alt_text_en,
    )
    item.set_tags(list(tags))
    saved_together(item, [("file", filename, clean), ("thumbnail", f"{stem}.webp", thumb)])
    transaction.on_commit(lambda: schedule_renditions(item.pk))
    return Stored(item, note)


def schedule_renditions(item_id: int) -> None:
    from liant.media import tasks  # noqa: PLC0415 - tasks imports this module

    tasks.make_renditions(item_id)


def visible_items(workspace: Workspace) -> QuerySet[MediaItem]:
    """The workspace's own files and the ones its organisation's workspaces share: what it
    may see and attach (only its own may be changed). Never another organisation's."""
    return MediaItem.objects.filter(
        Q(workspace=workspace)
        | Q(shared=True, workspace__organisation_id=workspace.organisation_id)
    )


def delete_item(item: MediaItem) -> bool:
    """Remove an item and its files; False (nothing removed) when a post uses it."""
    if item.variant_uses.exists():
        return False
    names = [item.file.name, item.thumbnail.name] + [r.file.name for r in item.renditions.all()]
    storage = item.file.storage
    item.delete()
    for name in names:
        if name:
            transaction.on_commit(functools.partial(storage.delete, name))
    return True


def search(items: QuerySet[MediaItem], query: str) -> QuerySet[MediaItem]:
    """Every word must be found in the name, a tag or an alternative text (either language)."""
    for word in query.split():
        items = items.filter(
            Q(name__icontains=word)
            | Q(tags__icontains=word.lower())
            | Q(alt_text_fr__icontains=word)
            | Q(alt_text_en__icontains=word)
            | Q(credit__icontains=word)
        )
    return items


# --- renditions -------------------------------------------------------------------------------


def rendition_for(item: MediaItem, rules: Rules) -> Rendition:
    """The item as this network takes it: made the first time, then the same one reused."""
    spec = images.Spec.of(rules)
    key = spec.key((item.focal_x, item.focal_y))
    found = item.renditions.filter(spec=key).first()
    if found is not None:
        return found
    with item.file.open("rb") as handle:
        original = handle.read()
    data, content_type, width, height = images.rendition(
        original, item.content_type, spec, (item.focal_x, item.focal_y), max_pixels()
    )
    stem = os.path.splitext(os.path.basename(item.name))[0]
    extension = images.FORMATS[images.TYPES[content_type]][1]
    made = Rendition(
        item=item,
        spec=key,
        content_type=content_type,
        size=len(data),
        width=width,
        height=height,
    )
    try:
        saved_together(made, [("file", f"{stem}{extension}", data)])
    except IntegrityError:
        # Another worker made it meanwhile (its file is kept, ours was removed): use theirs.
        return item.renditions.get(spec=key)
    return made


def publishing_rules(workspace: Workspace) -> list[Rules]:
    """The rules of every network this workspace publishes images to, once each."""
    from liant.channels.models import Channel  # noqa: PLC0415 - channels is a later layer

    found: dict[str, Rules] = {}
    for channel in Channel.objects.filter(workspace=workspace):
        try:
            connector = registry.connector_class(channel.kind)
        except LookupError:
            continue
        if Capability.PUBLISH in connector.capabilities and connector.rules.max_media > 0:
            rules = rules_of_channel(channel)
            found.setdefault(images.Spec.of(rules).key((0.5, 0.5)), rules)
    return list(found.values())


def make_renditions(item: MediaItem) -> int:
    """Every rendition the workspace's networks will want, made ahead of publishing."""
    if item.is_video:
        return 0  # sent as they are, after their limits were checked at scheduling
    made = 0
    for rules in publishing_rules(item.workspace):
        try:
            rendition_for(item, rules)
            made += 1
        except images.CannotFit:
            log.warning("item %s cannot fit %s", item.pk, images.Spec.of(rules))
    return made


def rules_of_channel(channel: Channel) -> Rules:
    """The channel's own rules: a Mastodon server may declare a lower byte limit than the
    network's default, and its rendition must fit that server (no network call here: the
    limits were read when the channel was connected)."""
    from liant.channels.fetching import connector_for  # noqa: PLC0415 - a later layer

    try:
        return connector_for(channel).rules
    except ValueError:  # settings that no longer validate: the network's defaults
        return registry.connector_class(channel.kind).rules


def media_for(attached: VariantMedia, variant: Variant) -> Media:
    """What the publisher hands the connector for an attached library item: its rendition
    for this network, never the original."""
    item = attached.library_item
    assert item is not None
    language = variant.post.workspace.language or "fr"
    if item.is_video:
        with item.file.open("rb") as handle:
            data = handle.read()
        return Media(
            content_type=item.content_type,
            data=data,
            alt_text=attached.alt_text or item.alt_text(language),
            filename=item.name,
        )
    try:
        made = rendition_for(item, rules_of_channel(variant.channel))
        with made.file.open("rb") as handle:
            data = handle.read()
    except images.CannotFit:
        raise ConnectorError(
            gettext_noop("%(name)s cannot be made small enough for %(network)s."),
            ErrorKind.PERMANENT,
            name=item.name,
            network=variant.channel.kind_label,
        ) from None
    except OSError:  # the library's file is gone from the storage
        raise ConnectorError(
            gettext_noop("%(name)s is missing from the media storage."),
            ErrorKind.PERMANENT,
            name=item.name,
        ) from None
    return Media(
        content_type=made.content_type,
        data=data,
        alt_text=attached.alt_text or item.alt_text(language),
        filename=os.path.basename(made.file.name or ""),
    )


# --- alternative text before publishing -------------------------------------------------------


def describes_images(channel: Channel) -> bool:
    """A network that shows a description of images declares how long it may be."""
    try:
        return rules_of_channel(channel).max_alt_text is not None
    except LookupError:
        return False


def missing_alt_text(variant: Variant) -> int:
    """How many images of the variant go out without a description, where one is shown."""
    if not describes_images(variant.channel):
        return 0
    language = variant.post.workspace.language or "fr"
    missing = 0
    for attached in variant.media.all():
        text = attached.alt_text
        if not text and attached.library_item is not None:
            text = attached.library_item.alt_text(language)
        missing += not text.strip()
    return missing


def alt_text_problems(variants: Iterable[Variant], workspace: Workspace) -> tuple[bool, list[str]]:
    """(blocking, messages): the images without a description, per channel, and whether the
    workspace's setting stops scheduling for it."""
    from django.utils.translation import ngettext  # noqa: PLC0415

    found = []
    for variant in variants:
        missing = missing_alt_text(variant)
        if missing:
            found.append(
                ngettext(
                    "%(channel)s: %(count)d image has no alternative text.",
                    "%(channel)s: %(count)d images have no alternative text.",
                    missing,
                )
                % {"channel": variant.channel.name, "count": missing}
            )
    blocking = bool(found) and MediaSettings.of(workspace).alt_text_policy == "block"
    return blocking, found


def video_problems(variants: Iterable[Variant]) -> list[str]:
    """Library videos longer or larger than the network declares it takes. Videos are not
    re-encoded, so these stop scheduling (size and type are checked with every media)."""
    found = []
    for variant in variants:
        rules: Rules | None = None
        for attached in variant.media.all():
            item = attached.library_item
            if item is None or not item.is_video:
                continue
            rules = rules or rules_of_channel(variant.channel)
            values = {
                "channel": variant.channel.name,
                "name": item.name,
                "network": variant.channel.kind_label,
            }
            if rules.max_video_seconds and (item.duration or 0) > rules.max_video_seconds:
                found.append(
                    _(
                        "%(channel)s: %(name)s lasts %(seconds)d s; %(network)s takes "
                        "%(limit)d s at most."
                    )
                    % {**values, "seconds": item.duration, "limit": rules.max_video_seconds}
                )
            if rules.video_max_pixels and item.width * item.height > rules.video_max_pixels:
                found.append(
                    _(
                        "%(channel)s: %(name)s is %(width)d×%(height)d; %(network)s takes "
                        "videos of %(limit)s million pixels at most."
                    )
                    % {
                        **values,
                        "width": item.width,
                        "height": item.height,
                        "limit": round(rules.video_max_pixels / 1_000_000, 1),
                    }
                )
    return found
