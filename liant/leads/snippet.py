"""The HTML a brand pastes into its own website: a plain form posting to Liant.

It works with no JavaScript at all: without a signed time the visitor lands on the form's own
page with their values filled in and sends once more (see public_views.py). The one-line
script, if kept, fills that signed time and the landing's utm_* parameters so the post goes
straight through.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from liant.leads.forms import FIELD_LABELS
from liant.leads.models import UTM_KEYS, Form


def snippet(form: Form, language: str) -> str:
    action = settings.SITE_URL + reverse("leads_public_form", kwargs={"token": form.token})
    script = settings.SITE_URL + reverse("leads_embed_script", kwargs={"token": form.token})
    with translation.override(language):
        lines = [
            f'<form method="post" action="{escape(action)}" data-liant-form="{form.token}">',
        ]
        for key in form.asked():
            label = escape(str(FIELD_LABELS[key]))
            if key == "message":
                control = '<textarea name="message" rows="4"></textarea>'
            else:
                kind = {"email": "email", "phone": "tel"}.get(key, "text")
                required = " required" if key == "email" else ""
                control = f'<input type="{kind}" name="{key}"{required}>'
            lines.append(f"  <p><label>{label} {control}</label></p>")
        for n, label in enumerate(form.custom_labels, start=1):
            lines.append(
                f'  <p><label>{escape(label)} <input type="text" name="custom_{n}"></label></p>'
            )
        consent = form.consent_text(language)
        if consent:
            lines.append(
                f'  <p><label><input type="checkbox" name="consent" value="yes" required> '
                f"{escape(consent)}</label></p>"
            )
        lines += [
            '  <p style="position:absolute;left:-10000px" aria-hidden="true">'
            '<input name="website" tabindex="-1" autocomplete="off"></p>',
            '  <input type="hidden" name="ts" value="">',
            f'  <input type="hidden" name="lang" value="{escape(language)}">',
            *(f'  <input type="hidden" name="{k}" value="">' for k in UTM_KEYS),
            f'  <button type="submit">{escape(translation.gettext("Send"))}</button>',
            "</form>",
            f'<script src="{escape(script)}" defer></script>',
        ]
    return "\n".join(lines)
