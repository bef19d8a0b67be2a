from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from liant.leads.models import Form
from liant.media.images import Refused
from liant.moderation.models import Charter
from liant.space import avatars
from liant.space.markup import one_line
from liant.space.models import Access, Category, Space, SpaceAccount

MAX_BODY = 20_000
MAX_BIO = 500


class CharterMixin(forms.Form):
    """Adds "I accept the charter" when the member has not accepted the current version."""

    def add_charter(self, charter: Charter | None) -> None:
        if charter is not None:
            self.fields["accept_charter"] = forms.BooleanField(
                label=_("I have read and accept version %(version)s of the charter")
                % {"version": charter.version},
                required=True,
            )


class JoinForm(CharterMixin):
    email = forms.EmailField(label=_("E-mail"))
    display_name = forms.CharField(
        label=_("Name shown next to your messages"), max_length=80, min_length=2
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, charter: Charter | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_charter(charter)

    def clean_display_name(self) -> str:
        name = one_line(self.cleaned_data["display_name"])
        if len(name) < 2:
            raise forms.ValidationError(_("Please give a name of at least two characters."))
        return name


class SignInForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))


class TopicForm(CharterMixin):
    title = forms.CharField(label=_("Title"), max_length=200, min_length=3)
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italics*, [link](https://…), > quote."),
    )

    def clean_title(self) -> str:
        title = one_line(self.cleaned_data["title"])
        if len(title) < 3:
            raise forms.ValidationError(_("Please give a title of at least three characters."))
        return title


class ReplyForm(CharterMixin):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: **bold**, *italics*, [link](https://…), > quote."),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EditPostForm(forms.Form):
    """The author's edit of a post; the title only for a topic's opening post."""

    title = forms.CharField(label=_("Title"), max_length=200, min_length=3)
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italics*, [link](https://…), > quote."),
    )

    def __init__(self, *args: Any, with_title: bool, max_body: int = MAX_BODY, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not with_title:
            del self.fields["title"]
        self.max_body = max_body

    def clean_title(self) -> str:
        title = one_line(self.cleaned_data["title"])
        if len(title) < 3:
            raise forms.ValidationError(_("Please give a title of at least three characters."))
        return title

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if len(body) > self.max_body:
            raise forms.ValidationError(
                _("Chat messages are short: at most %(count)s characters.")
                % {"count": self.max_body}
            )
        return body


class ProfileForm(forms.ModelForm):
    """What an account changes about itself. The name and bio are plain text: templates
    escape them, and the bio keeps its line breaks only."""

    class Meta:
        model = SpaceAccount
        fields = ["display_name", "bio", "language", "email_notifications"]
        labels = {"display_name": _("Name shown next to your messages")}
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4, "maxlength": MAX_BIO}),
            "email_notifications": forms.RadioSelect,
        }
        help_texts = {
            "email_notifications": _(
                "Mentions, replies in the topics you follow and reactions to your messages."
            ),
        }

    picture = forms.FileField(
        label=_("Picture"),
        required=False,
        help_text=_(
            "JPEG, PNG, GIF or WebP, up to 2 MB. It is cut to a square and shown next to your name."
        ),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )
    remove_picture = forms.BooleanField(label=_("Remove my picture"), required=False)

    def __init__(self, *args: Any, can_write: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.picture_data: bytes | None = None
        if not can_write:
            # A muted or banned account keeps its settings but cannot change its words.
            for name in ("display_name", "bio", "picture"):
                self.fields[name].disabled = True
        if not self.instance.avatar:
            del self.fields["remove_picture"]

    def clean_picture(self) -> Any:
        upload = self.cleaned_data.get("picture")
        if not upload or self.fields["picture"].disabled:
            return None
        name = (upload.name or "picture").rsplit("/", 1)[-1]
        try:
            if (upload.size or 0) > avatars.MAX_BYTES:  # refused before reading it
                raise avatars.too_large(name, upload.size)
            self.picture_data = avatars.make(upload.read(), name)
        except Refused as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload

    def clean_display_name(self) -> str:
        name = one_line(self.cleaned_data["display_name"])
        if len(name) < 2:
            raise forms.ValidationError(_("Please give a name of at least two characters."))
        return name

    def clean_bio(self) -> str:
        bio = (self.cleaned_data.get("bio") or "").strip()
        if len(bio) > MAX_BIO:
            raise forms.ValidationError(
                _("At most %(count)s characters, please.") % {"count": MAX_BIO}
            )
        return bio


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)


class ReportForm(forms.Form):
    note = forms.CharField(
        label=_("Why should a moderator look at it? (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- Staff ----------------------------------------------------------------------------------


class SpaceForm(forms.ModelForm):
    class Meta:
        model = Space
        fields = [
            "enabled", "title", "welcome_fr", "welcome_en", "posts_per_minute",
            "sidebar_form", "contact_form", "member_welcome_fr", "member_welcome_en",
        ]  # fmt: skip
        widgets = {
            "welcome_fr": forms.Textarea(attrs={"rows": 5}),
            "welcome_en": forms.Textarea(attrs={"rows": 5}),
            "member_welcome_fr": forms.Textarea(attrs={"rows": 4}),
            "member_welcome_en": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "member_welcome_fr": _(
                "Shown once to each new member, on the first page after confirming their address."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the workspace's own forms: a space never shows another brand's form.
        mine = Form.objects.filter(workspace_id=self.instance.workspace_id)
        for name in ("sidebar_form", "contact_form"):
            self.fields[name].queryset = mine  # type: ignore[attr-defined]

    def clean_posts_per_minute(self) -> int:
        value = self.cleaned_data["posts_per_minute"]
        if not 1 <= value <= 60:
            raise forms.ValidationError(_("Between 1 and 60."))
        return int(value)


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "kind", "access", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False  # a form without it makes a forum, as before
        self.fields["access"].required = False  # likewise a public category

    def clean_name(self) -> str:
        return one_line(self.cleaned_data["name"])

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or Category.Kind.FORUM

    def clean_access(self) -> str:
        return self.cleaned_data.get("access") or Access.PUBLIC


class AnnouncementForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200, min_length=3)
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown: **bold**, *italics*, [link](https://…), > quote."),
    )
    pinned = forms.BooleanField(label=_("Pin it at the top of its category"), required=False)
    until = forms.DateField(
        label=_("Last day on the home page (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, space: Space, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(space=space)  # type: ignore[attr-defined]

    def clean_title(self) -> str:
        return one_line(self.cleaned_data["title"])


class IdeaForm(forms.Form):
    """An idea for the workspace's idea box, proposed from the space (plain text)."""

    title = forms.CharField(label=_("Your idea in a few words"), max_length=120, min_length=3)
    text = forms.CharField(
        label=_("Details (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_title(self) -> str:
        title = one_line(self.cleaned_data["title"])
        if len(title) < 3:
            raise forms.ValidationError(_("Please give a title of at least three characters."))
        return title
