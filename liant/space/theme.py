"""A space in the brand's colours: a logo and two colours, set on the staff settings page and
given to every public page as CSS custom properties.

What a community manager types never reaches the CSS as typed: a colour is kept only as
"#rrggbb" (lower case, checked by the model's validator and again here before it is written
into a `<style>`), and the logo is served from Liant's own address after the media library's
checks (the bytes decide what it is; SVG, which can carry scripts, is refused).

Readability (WCAG 2.x AA, 4.5:1 for text):
- the primary colour is the band behind the space's name: the text on it is black or white,
  whichever reads better, and one of the two always reaches 4.5:1 with any colour;
- the accent colour is the links' and the buttons' colour on the page's light backgrounds:
  a colour below 4.5:1 against them is refused, with the nearest darker shade that passes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.files.base import ContentFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view
from liant.media import images, library
from liant.space.models import Space

AA_TEXT = 4.5
# The page's light backgrounds links sit on (app.css: --card and --bg).
LIGHT_BACKGROUNDS = ("#ffffff", "#f6f5f2")
BLACK, WHITE = "#000000", "#ffffff"
LOGO_MAX_BYTES = 2_000_000
LOGO_MAX_PIXELS = 16_000_000
HEX = re.compile(r"\A#[0-9a-f]{6}\Z")
SHORT_HEX = re.compile(r"\A#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")


def normalise(value: str) -> str:
    """ "#ABC", "abc", "#AABBCC" → "#aabbcc"; anything else → "" (the caller refuses it)."""
    found = SHORT_HEX.match((value or "").strip())
    if not found:
        return ""
    digits = found.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def luminance(colour: str) -> float:
    """WCAG relative luminance of "#rrggbb"."""

    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ink_for(background: str) -> str:
    """Black or white text, whichever reads better on `background` (at least 4.58:1)."""
    return BLACK if contrast(background, BLACK) >= contrast(background, WHITE) else WHITE


def readable_on_light(colour: str) -> bool:
    return all(contrast(colour, bg) >= AA_TEXT for bg in LIGHT_BACKGROUNDS)


def darker_until_readable(colour: str) -> str:
    """The same hue, darkened step by step (towards black) until it reads on light pages."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    for step in range(1, 101):
        keep = 1 - step / 100
        candidate = "#{:02x}{:02x}{:02x}".format(*(round(c * keep) for c in (r, g, b)))
        if readable_on_light(candidate):
            return candidate
    return BLACK  # pragma: no cover - black always passes


@dataclass(frozen=True)
class Theme:
    primary: str
    primary_ink: str
    accent: str
    accent_ink: str

    def css(self) -> SafeString:
        """The custom properties, built only from values that match #rrggbb exactly."""
        values = [self.primary, self.primary_ink, self.accent, self.accent_ink]
        if not all(HEX.match(v) for v in values if v):
            return mark_safe("")
        rules = []
        if self.accent:
            rules += [f"--accent:{self.accent}", f"--accent-ink:{self.accent_ink}"]
        if self.primary:
            rules += [f"--space-primary:{self.primary}", f"--space-primary-ink:{self.primary_ink}"]
        return mark_safe(":root{" + ";".join(rules) + "}" if rules else "")  # noqa: S308


def theme_of(space: Space) -> Theme:
    """The space's colours as stored, each dropped if it is not a clean "#rrggbb" (a row
    written around the form cannot put anything else in a page) or no longer readable."""
    primary = space.primary_color if HEX.match(space.primary_color or "") else ""
    accent = space.accent_color if HEX.match(space.accent_color or "") else ""
    if accent and not readable_on_light(accent):
        accent = ""
    return Theme(
        primary=primary,
        primary_ink=ink_for(primary) if primary else "",
        accent=accent,
        accent_ink=ink_for(accent) if accent else "",
    )


def logo_version(space: Space) -> str:
    """Part of the logo's address, so a new logo is fetched at once despite long caching."""
    return hashlib.sha256((space.logo.name or "").encode()).hexdigest()[:10]


# --- The staff form -------------------------------------------------------------------------


class ThemeForm(forms.ModelForm):
    upload = forms.FileField(
        label=gettext_lazy("Logo"),
        required=False,
        help_text=gettext_lazy(
            "JPEG, PNG, GIF or WebP, up to 2 MB. Shown beside the space's name."
        ),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)

    class Meta:
        model = Space
        fields = ["primary_color", "accent_color"]
        help_texts = {
            "primary_color": gettext_lazy(
                "Behind the space's name, e.g. #1d3557; the text on it is black or white, "
                "whichever reads better. Empty: Liant's colours."
            ),
            "accent_color": gettext_lazy(
                "Links and buttons, e.g. #8a4b14. It must stay readable on a white page "
                "(contrast of 4.5:1 at least)."
            ),
        }

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        for name in ("primary_color", "accent_color"):
            # Typed as text too (#abc, ABCDEF): normalised in clean_*, then validated.
            self.fields[name].validators = []
            self.fields[name].widget = forms.TextInput(
                attrs={"placeholder": "#rrggbb", "maxlength": 7, "size": 8}
            )
        self.checked_logo: tuple[bytes, images.Checked] | None = None

    def _colour(self, name: str) -> str:
        raw = (self.cleaned_data.get(name) or "").strip()
        if not raw:
            return ""
        colour = normalise(raw)
        if not colour:
            raise forms.ValidationError(_("A colour is written #rrggbb, e.g. #8a4b14."))
        return colour

    def clean_primary_color(self) -> str:
        return self._colour("primary_color")

    def clean_accent_color(self) -> str:
        colour = self._colour("accent_color")
        if colour and not readable_on_light(colour):
            ratio = min(contrast(colour, bg) for bg in LIGHT_BACKGROUNDS)
            raise forms.ValidationError(
                _(
                    "%(colour)s is too light for links and buttons on a white page (contrast "
                    "%(ratio)s:1, at least 4.5:1 is needed). %(suggestion)s is the nearest "
                    "darker shade that reads well."
                )
                % {
                    "colour": colour,
                    "ratio": f"{ratio:.1f}",
                    "suggestion": darker_until_readable(colour),
                }
            )
        return colour

    def clean_upload(self):  # noqa: ANN201
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        name = (upload.name or "logo").rsplit("/", 1)[-1]
        if (upload.size or 0) > LOGO_MAX_BYTES:
            raise forms.ValidationError(str(library.too_large(name, upload.size, LOGO_MAX_BYTES)))
        data = upload.read()
        pixels = min(library.max_pixels(), LOGO_MAX_PIXELS)
        try:
            checked = images.check(data, name, max_bytes=LOGO_MAX_BYTES, max_pixels=pixels)
            kept, _width, _height = images.cleaned(data, checked, pixels)
        except images.Refused as exc:
            raise forms.ValidationError(str(exc)) from None
        self.checked_logo = (kept, checked)
        return upload

    def save(self, commit: bool = True) -> Space:
        space = super().save(commit=False)
        if self.cleaned_data.get("remove_logo") and space.logo:
            space.logo.delete(save=False)
            space.logo_type = ""
        if self.checked_logo is not None:
            data, checked = self.checked_logo
            if space.logo:
                space.logo.delete(save=False)
            digest = hashlib.sha256(data).hexdigest()[:12]
            space.logo.save(
                f"{space.pk}-{digest}{checked.extension}", ContentFile(data), save=False
            )
            space.logo_type = checked.content_type
        if commit:
            space.save()
        return space


@workspace_view("space.manage")
@require_POST
def theme_update(request: WorkspaceRequest) -> HttpResponse:
    from liant.space.posting import space_of  # noqa: PLC0415 - posting imports the connector

    space = space_of(request.workspace)
    form = ThemeForm(request.POST, request.FILES, instance=space, prefix="theme")
    if form.is_valid():
        form.save()
        audit.record(
            request,
            "space.theme_updated",
            target=space,
            primary=space.primary_color,
            accent=space.accent_color,
            logo=bool(space.logo),
        )
        messages.success(request, _("The space's look is saved."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("space", ws=request.workspace.slug)


def logo(request: HttpRequest, slug: str) -> HttpResponse:
    """The logo of an open space, for anyone: it is on its public pages."""
    space = get_object_or_404(Space, workspace__slug=slug, enabled=True)
    if not space.logo or space.logo_type not in images.TYPES:
        raise Http404
    try:
        data = space.logo.open("rb").read()
    except (OSError, ValueError):
        raise Http404 from None
    finally:
        space.logo.close()
    response = HttpResponse(data, content_type=space.logo_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    # The address carries the logo's version (?v=): a new logo is a new address.
    response["Cache-Control"] = "public, max-age=86400"
    return response
