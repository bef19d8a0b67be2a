from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from liant.channels.models import Channel
from liant.media import library
from liant.media.models import MediaItem
from liant.publishing import shortener
from liant.publishing.models import Post, PublishingSettings
from liant.publishing.queue import SlotSyntaxError, parse_slots
from liant.publishing.validation import (
    Check,
    check_variant,
    media_problems,
    rules_of,
    split_thread,
)


def sniff_image(head: bytes) -> str:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return ""


class PostForm(forms.ModelForm):
    tags_text = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separated by commas.")
    )
    scheduled_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = Post
        fields = ["title", "pillar", "campaign", "recurrence", "repeat_until", "evergreen"]
        widgets = {"repeat_until": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tags_text"].initial = ", ".join(self.instance.tags)

    def clean_tags_text(self) -> list[str]:
        raw = self.cleaned_data.get("tags_text") or ""
        return list(dict.fromkeys(t.strip() for t in raw.split(",") if t.strip()))


class VariantForm(forms.Form):
    """The part of the composer for one channel."""

    include = forms.BooleanField(label=_("Publish here"), required=False)
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    content_warning = forms.CharField(label=_("Content warning"), required=False, max_length=500)
    thread = forms.CharField(
        label=_("Follow-up posts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "A thread or a first comment, published as answers to the post. Separate the "
            "posts with a line holding only ---."
        ),
    )

    image = forms.FileField(label=_("Add an image"), required=False)
    image_alt = forms.CharField(
        label=_("Its description (alternative text)"),
        required=False,
        max_length=2000,
        help_text=_("Read aloud to people who cannot see the image."),
    )
    # Media library hook: an image of the workspace's library, sent as its rendition for this
    # network; its own description is used unless one is typed above.
    library_item = forms.ModelChoiceField(
        label=_("Or choose one from the library"),
        queryset=MediaItem.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, channel: Channel, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"c{channel.pk}")
        super().__init__(*args, **kwargs)
        self.channel = channel
        self.image_type = ""
        self.media_items: list[Any] = []  # the variant's stored images, set by the view
        self.preview: Any = None  # how it will look on the network, set by the view
        # Its own library and the files its organisation shares.
        self.fields["library_item"].queryset = library.visible_items(  # type: ignore[attr-defined]
            channel.workspace
        ).order_by("name", "id")
        if channel.kind == "space":
            self.fields["space_category"] = space_category_field(channel)

    @property
    def offers_space_category(self) -> bool:
        return "space_category" in self.fields

    def clean_image(self) -> Any:
        """The type is read from the file's first bytes, not from what the browser claims."""
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        head = upload.read(16)
        upload.seek(0)
        self.image_type = sniff_image(head)
        if not self.image_type:
            raise forms.ValidationError(_("Only JPEG, PNG, GIF or WebP images."))
        rules = rules_of(self.channel)
        problems = media_problems(self.channel, rules, [(self.image_type, upload.size)])
        if problems:
            raise forms.ValidationError(problems)
        return upload

    @property
    def offers_media(self) -> bool:
        return rules_of(self.channel).max_media > 0

    def value(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix(name), "") or "")
        return str(self.initial.get(name, "") or "")

    @property
    def current_text(self) -> str:
        return self.value("text")

    @property
    def current_thread(self) -> str:
        return self.value("thread")

    @property
    def check(self) -> Check:
        return check_variant(
            self.channel,
            self.value("text"),
            self.value("link"),
            self.value("content_warning"),
            split_thread(self.value("thread")),
        )

    @property
    def offers_thread(self) -> bool:
        return rules_of(self.channel).threads

    @property
    def included(self) -> bool:
        if self.is_bound:
            return bool(self.data.get(self.add_prefix("include")))
        return bool(self.initial.get("include"))


def space_category_field(channel: Channel) -> forms.ModelChoiceField:
    """The community space's topic categories, for a variant published on its channel: the
    topic opens there (stored as extras["category"], which the space's connector reads).
    Only this channel's space's categories of this workspace are offered, so an id of
    another workspace's category is refused as "not one of the choices". Empty: the
    space's own setting decides."""
    from liant.space.models import Category  # noqa: PLC0415 - the space app is optional here

    categories = Category.objects.filter(
        space__channel=channel,
        space__workspace_id=channel.workspace_id,
        kind=Category.Kind.FORUM,
    ).order_by("position", "pk")
    return forms.ModelChoiceField(
        label=_("Category of the space"),
        queryset=categories,
        required=False,
        empty_label=_("The space's default category"),
    )


class PublishingSettingsForm(forms.ModelForm):
    class Meta:
        model = PublishingSettings
        fields = [
            "publish_late_minutes",
            "evergreen_days",
            "utm_enabled",
            "utm_source",
            "utm_medium",
            "link_shortener",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The services installed here, read when the form is made (the list is pluggable).
        field = self.fields["link_shortener"]
        self.fields["link_shortener"] = forms.ChoiceField(
            label=field.label,
            help_text=field.help_text,
            required=False,
            choices=shortener.choices(),
        )


class SlotsForm(forms.Form):
    """A channel's queue slots as people say them: "Tue/Thu 9:30, Sat 11:00"."""

    slots = forms.CharField(
        label=_("Queue slots"),
        required=False,
        help_text=_('Days then a time, groups separated by commas: "Tue/Thu 9:30, Mon-Fri 12:30".'),
    )

    def clean_slots(self) -> list:
        try:
            return parse_slots(self.cleaned_data.get("slots") or "")
        except SlotSyntaxError as exc:
            raise forms.ValidationError(str(exc)) from exc
