from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from liant.core.models import Workspace
from liant.media.models import Folder, MediaItem, MediaSettings


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input multiple>; each is checked by the library itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


def split_tags(raw: str) -> list[str]:
    return [tag.strip() for tag in raw.split(",") if tag.strip()]


class UploadForm(forms.Form):
    images = MultipleFileField(
        label=_("Images or videos"),
        help_text=_(
            "Images in JPEG, PNG, GIF or WebP, videos in MP4, MOV or WebM. Several at once, "
            "or drop them here."
        ),
    )
    folder = forms.ModelChoiceField(
        label=_("Folder"), queryset=Folder.objects.none(), required=False
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separated by commas."), max_length=400
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["folder"].queryset = Folder.objects.filter(workspace=workspace)  # type: ignore[attr-defined]


class FolderForm(forms.ModelForm):
    class Meta:
        model = Folder
        fields = ["name"]


class ItemForm(forms.ModelForm):
    tags_text = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separated by commas."), max_length=400
    )

    class Meta:
        model = MediaItem
        fields = [
            "name",
            "folder",
            "alt_text_fr",
            "alt_text_en",
            "licence",
            "credit",
            "focal_x",
            "focal_y",
            "shared",
        ]
        widgets = {
            "alt_text_fr": forms.Textarea(attrs={"rows": 3, "lang": "fr"}),
            "alt_text_en": forms.Textarea(attrs={"rows": 3, "lang": "en"}),
            "focal_x": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
            "focal_y": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
        }
        help_texts = {
            "focal_x": _("0 is the left edge, 1 the right edge; click the image to set it."),
            "focal_y": _("0 is the top, 1 the bottom."),
        }

    def __init__(self, *args: Any, can_share: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_share:  # sharing with every workspace of the organisation: managers only
            del self.fields["shared"]
        self.fields["folder"].queryset = Folder.objects.filter(  # type: ignore[attr-defined]
            workspace_id=self.instance.workspace_id
        )
        self.fields["tags_text"].initial = ", ".join(self.instance.tag_list)

    def save(self, commit: bool = True) -> MediaItem:
        item = super().save(commit=False)
        item.set_tags(split_tags(self.cleaned_data.get("tags_text") or ""))
        if commit:
            item.save()
        return item


class MediaSettingsForm(forms.ModelForm):
    class Meta:
        model = MediaSettings
        fields = ["alt_text_policy", "keep_metadata", "private"]
        widgets = {"alt_text_policy": forms.RadioSelect}
