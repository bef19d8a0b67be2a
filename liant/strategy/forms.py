from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from liant.channels.models import Channel
from liant.core.models import Workspace
from liant.strategy.models import Audience, Format, Kpi, Objective, Pillar, Rhythm, Tone

DATE = forms.DateInput(attrs={"type": "date"})


class WorkspaceForm(forms.ModelForm):
    """A form whose choices (channels, objectives) are the workspace's own, never another's."""

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        if "channels" in self.fields:
            self.fields["channels"].queryset = Channel.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        if "channel" in self.fields:
            self.fields["channel"].queryset = Channel.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        if "objective" in self.fields:
            self.fields["objective"].queryset = Objective.objects.filter(workspace=workspace)  # type: ignore[attr-defined]

    def save(self, commit: bool = True) -> Any:
        instance = super().save(commit=False)
        if hasattr(instance, "workspace_id"):
            instance.workspace = self.workspace
        if commit:
            instance.save()
            self.save_m2m()
        return instance


class ObjectiveForm(WorkspaceForm):
    class Meta:
        model = Objective
        fields = ["kind", "name", "description", "starts_on", "ends_on"]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "description": forms.Textarea(attrs={"rows": 2}),
        }


class KpiForm(WorkspaceForm):
    class Meta:
        model = Kpi
        fields = ["objective", "name", "unit", "baseline", "target", "due_on"]
        widgets = {"due_on": DATE}


class AudienceForm(WorkspaceForm):
    class Meta:
        model = Audience
        fields = ["name", "description", "channels"]
        widgets = {
            "channels": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 2}),
        }


class PillarForm(WorkspaceForm):
    class Meta:
        model = Pillar
        fields = ["name", "description", "share"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Pillar.objects.filter(workspace=self.workspace, name__iexact=name).exists():
            raise forms.ValidationError(
                _("There is already a pillar called %(name)s.") % {"name": name}
            )
        return name


class ToneForm(WorkspaceForm):
    class Meta:
        model = Tone
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class FormatForm(WorkspaceForm):
    class Meta:
        model = Format
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class RhythmForm(WorkspaceForm):
    class Meta:
        model = Rhythm
        fields = ["channel", "posts_per_week"]

    def validate_unique(self) -> None:
        pass  # saving a channel's rhythm again replaces it (see views.save_rhythm)
