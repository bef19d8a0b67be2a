from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liant.core.models import Workspace
from liant.feedback.models import Collection, Idea, IdeaStatus, NotebookNote, Theme, Verbatim
from liant.inbox.models import Department
from liant.members.models import Identity


def scope(form: forms.BaseForm, workspace: Workspace) -> None:
    """Every choice a form offers belongs to the workspace: a forged id from another one is
    refused as an invalid choice."""
    for name, model in (
        ("themes", Theme),
        ("departments", Department),
        ("department", Department),
        ("collections", Collection),
    ):
        if name in form.fields:
            form.fields[name].queryset = model.objects.filter(workspace=workspace)  # type: ignore[attr-defined]


class VerbatimForm(forms.ModelForm):
    new_themes = forms.CharField(
        label=_("New themes"),
        required=False,
        help_text=_("Comma-separated; they are created for the whole workspace."),
    )

    class Meta:
        model = Verbatim
        fields = ["themes", "departments", "collections"]
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "departments": forms.CheckboxSelectMultiple,
            "collections": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope(self, workspace)

    def new_theme_names(self) -> list[str]:
        raw = self.cleaned_data.get("new_themes") or ""
        return [n.strip()[:60] for n in raw.split(",") if n.strip()]


class NameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)


class CollectionForm(forms.ModelForm):
    class Meta:
        model = Collection
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class IdeaForm(forms.ModelForm):
    class Meta:
        model = Idea
        fields = ["title", "text", "department", "themes"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "themes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope(self, workspace)


class NewIdeaForm(IdeaForm):
    proposer = forms.CharField(
        label=_("Proposed by"),
        required=False,
        max_length=300,
        help_text=_(
            "Optional: the member's e-mail address or @handle, when they told you in person or "
            "on the phone. They will be told when its status changes."
        ),
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, workspace=workspace, **kwargs)
        self.workspace = workspace

    def clean_proposer(self) -> Identity | None:
        wanted = (self.cleaned_data.get("proposer") or "").strip()
        if not wanted:
            return None
        identities = Identity.objects.filter(
            workspace=self.workspace, member__merged_into__isnull=True
        ).select_related("member", "channel")
        found = (
            (
                identities.filter(Q(email__iexact=wanted) | Q(key__iexact=wanted))
                | identities.filter(
                    handle__iexact=wanted if wanted.startswith("@") else f"@{wanted}"
                )
            )
            .order_by("-last_seen_at", "pk")
            .first()
        )
        if found is None:
            raise forms.ValidationError(
                _("No member of this workspace has this address or handle.")
            )
        return found


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=IdeaStatus.choices)
    public_reason = forms.CharField(
        label=_("Public reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Shown on the public idea page and sent with the new status to everyone who "
            "proposed or voted for it."
        ),
    )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Merge this idea into"), queryset=Idea.objects.none())

    def __init__(self, *args: Any, idea: Idea, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Idea.objects.filter(  # type: ignore[attr-defined]
            workspace_id=idea.workspace_id, merged_into__isnull=True
        ).exclude(pk=idea.pk)


class NoteForm(forms.ModelForm):
    class Meta:
        model = NotebookNote
        fields = ["kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
