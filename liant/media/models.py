"""The media library of a workspace: folders, items (images) and their per-network renditions."""

from __future__ import annotations

import uuid

from django.conf import settings as django_settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liant.core.models import Workspace


class AltTextPolicy(models.TextChoices):
    WARN = "warn", _("Warn, but let the post be scheduled")
    BLOCK = "block", _("Block scheduling until every image has one")


class MediaSettings(models.Model):
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="media_settings"
    )
    alt_text_policy = models.CharField(
        _("images without alternative text"),
        max_length=8,
        choices=AltTextPolicy.choices,
        default=AltTextPolicy.WARN,
        help_text=_("Only for networks that show a description of images."),
    )
    keep_metadata = models.BooleanField(
        _("keep photo metadata"),
        default=False,
        help_text=_(
            "By default the camera's data (place, device, date) is removed on upload, since "
            "it would go out with the image."
        ),
    )
    # Private: every address of a file given to a browser is signed and expires (after
    # LIANT_MEDIA_URL_SECONDS), so a copied link stops working; public: the plain addresses,
    # which still answer only the workspace's people.
    private = models.BooleanField(
        _("private files"),
        default=False,
        help_text=_(
            "Addresses of the files shown in Liant expire after a while, so a copied link "
            "stops working."
        ),
    )

    class Meta:
        verbose_name = _("media settings")
        verbose_name_plural = _("media settings")

    def __str__(self) -> str:
        return str(self.workspace)

    @classmethod
    def of(cls, workspace: Workspace) -> MediaSettings:
        found = cls.objects.filter(workspace=workspace).first()
        return found or cls(workspace=workspace)


class Folder(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="media_folders")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("folder")
        verbose_name_plural = _("folders")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_folder_per_name")
        ]

    def __str__(self) -> str:
        return self.name


def item_path(instance: MediaItem, filename: str) -> str:
    # One folder per workspace (a backup or an erasure takes a workspace's files alone), and a
    # random folder per file so two files of the same name never meet.
    return f"library/{instance.workspace_id}/{uuid.uuid4().hex}/{filename}"


def rendition_path(instance: Rendition, filename: str) -> str:
    return f"library/{instance.item.workspace_id}/renditions/{uuid.uuid4().hex}/{filename}"


FOCAL = [MinValueValidator(0.0), MaxValueValidator(1.0)]


class MediaItem(models.Model):
    """One image of the library, stored upright and without its camera metadata (by default)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="media_items")
    folder = models.ForeignKey(
        Folder,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        verbose_name=_("folder"),
    )
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(upload_to=item_path, max_length=300)
    thumbnail = models.FileField(upload_to=item_path, max_length=300, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    duration = models.FloatField(null=True, blank=True)  # seconds, videos only
    codec = models.CharField(max_length=50, blank=True)  # videos only
    # Lower-cased, each between commas (",coffee,shop,"): an exact tag is one LIKE on any
    # database, without a table of tags for what is a handful of words per file.
    tags = models.CharField(_("tags"), max_length=500, blank=True)
    alt_text_fr = models.TextField(_("alternative text (French)"), blank=True)
    alt_text_en = models.TextField(_("alternative text (English)"), blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    # Where the subject is, from the left and from the top (0..1): crops keep it in view.
    focal_x = models.FloatField(_("focal point (across)"), default=0.5, validators=FOCAL)
    focal_y = models.FloatField(_("focal point (down)"), default=0.5, validators=FOCAL)
    # The organisation's library: a file kept by one workspace that every workspace of the same
    # organisation sees and may attach to its posts, without changing it (an agency's logos).
    shared = models.BooleanField(
        _("shared with the organisation"),
        default=False,
        help_text=_(
            "Every workspace of the organisation can see it and use it in its posts; only "
            "this workspace can change it."
        ),
    )
    uploaded_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("library file")
        verbose_name_plural = _("library files")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "folder"])]

    def __str__(self) -> str:
        return self.name

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]

    def set_tags(self, tags: list[str]) -> None:
        clean = list(dict.fromkeys(t.strip().lower().replace(",", " ") for t in tags if t.strip()))
        self.tags = f",{','.join(clean)}," if clean else ""

    def alt_text(self, language: str) -> str:
        """The description in this language, else in the other one (better than none)."""
        first, second = (
            (self.alt_text_fr, self.alt_text_en)
            if language.startswith("fr")
            else (self.alt_text_en, self.alt_text_fr)
        )
        return (first or second).strip()

    @property
    def is_video(self) -> bool:
        return self.content_type.startswith("video/")

    @property
    def orientation(self) -> str:
        if self.width > self.height:
            return "landscape"
        return "portrait" if self.height > self.width else "square"


class Rendition(models.Model):
    """The item made to fit one network's declared limits. Made once per (item, spec, focal
    point): the spec key says every limit it was made for, so a changed limit or a moved focal
    point makes a new one and the old one is never sent by mistake."""

    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="renditions")
    spec = models.CharField(max_length=200)
    file = models.FileField(upload_to=rendition_path, max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "spec"]
        constraints = [
            models.UniqueConstraint(fields=["item", "spec"], name="one_rendition_per_spec")
        ]

    def __str__(self) -> str:
        return f"{self.item} [{self.spec}]"


class LinkCard(models.Model):
    """What a page says of itself in its Open Graph / Twitter card tags, read once a day per
    workspace and address for the composer's preview. Per workspace, because its image is a
    library item of that workspace (and so served only to its people)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being read")
        READY = "ready", _("read")
        FAILED = "failed", _("could not be read")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="link_cards")
    # The address is hashed for the unique key: an URL may be longer than an index allows.
    url_hash = models.CharField(max_length=64)
    url = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    title = models.CharField(max_length=300, blank=True)
    description = models.CharField(max_length=500, blank=True)
    site_name = models.CharField(max_length=200, blank=True)
    image = models.ForeignKey(
        MediaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.CharField(max_length=500, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "url_hash"], name="one_card_per_url")
        ]

    def __str__(self) -> str:
        return self.title or self.url
