from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from liant.animation.models import Challenge, Contest, Meetup, OpenQuestion
from liant.channels.models import Channel
from liant.connectors import registry
from liant.connectors.base import Capability
from liant.core.models import Workspace
from liant.members.models import Segment


def when_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ContestForm(forms.ModelForm):
    class Meta:
        model = Contest
        fields = [
            "title", "description", "prize", "rules", "winners_count", "ends_at", "draw_at",
            "form_enabled", "channel", "post_remote_id", "count_comments", "count_reactions",
            "count_reposts", "hashtag", "min_account_days", "countries", "require_consent",
            "must_follow", "segment",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "rules": forms.Textarea(attrs={"rows": 6}),
            "ends_at": when_widget(),
            "draw_at": when_widget(),
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        if "segment" in self.fields:
            self.fields["segment"].queryset = Segment.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        self.fields["winners_count"].widget.attrs["min"] = 1

    def clean_winners_count(self) -> int:
        value = self.cleaned_data["winners_count"]
        if value < 1:
            raise forms.ValidationError(_("At least one winner."))
        return value

    def clean_countries(self) -> str:
        codes = [c.strip().upper() for c in self.cleaned_data["countries"].split(",") if c.strip()]
        if any(len(c) != 2 or not c.isalpha() for c in codes):
            raise forms.ValidationError(_("Use two-letter country codes, such as FR, BE."))
        return ", ".join(codes)


class EntryForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail"))
    country = forms.CharField(
        label=_("Country (two-letter code)"), max_length=2, min_length=2, required=False
    )
    consent = forms.BooleanField(label=_("I accept the rules of this contest"), required=False)

    def __init__(self, *args: Any, contest: Contest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].required = contest.require_consent
        if contest.country_list():
            self.fields["country"].required = True


class MeetupForm(forms.ModelForm):
    # Declared to say which scheme a typed address without one gets (https, the only sane one).
    link = forms.URLField(label=_("link"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Meetup
        fields = [
            "title", "kind", "description", "starts_at", "ends_at", "place", "link", "capacity",
            "dm_reminders",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "starts_at": when_widget(),
            "ends_at": when_widget(),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end comes after the start."))
        return data


class RsvpForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail"))


class PollForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=300)
    choices = forms.CharField(
        label=_("Choices, one per line"), widget=forms.Textarea(attrs={"rows": 5})
    )
    results_public = forms.BooleanField(
        label=_("Show the results to voters"), required=False, initial=True
    )

    def clean_choices(self) -> list[str]:
        lines = [line.strip()[:200] for line in self.cleaned_data["choices"].splitlines()]
        lines = list(dict.fromkeys(line for line in lines if line))
        if len(lines) < 2:
            raise forms.ValidationError(_("At least two choices."))
        return lines


class VoteForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail"))
    choice = forms.TypedChoiceField(label=_("Your answer"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = choices  # type: ignore[attr-defined]


class QuizForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    questions = forms.CharField(
        label=_("Questions"),
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "true"}),
        help_text=_(
            "One block per question: the question, then one answer per line, * before the "
            "right one and - before the others; a blank line between questions. Add (2 pts) "
            "after a question to give it more points."
        ),
    )

    def clean_questions(self) -> list:
        from liant.animation.quizzes import parse

        try:
            return parse(self.cleaned_data["questions"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class QuizQuestionsForm(forms.Form):
    """One required choice per question (field `q<question id>`, value the answer's index);
    the community space asks only this, its account already says who answers."""

    def __init__(self, *args: Any, questions: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=question.text,
                coerce=int,
                widget=forms.RadioSelect,
                choices=list(enumerate(question.choices)),
            )

    def answers(self) -> dict[int, int]:
        return {
            int(name[1:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("q") and name[1:].isdigit()
        }


class QuizAnswerForm(QuizQuestionsForm):
    """The public page's form: who answers, then the questions."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail"))


class OpenQuestionForm(forms.ModelForm):
    post_to = forms.ModelMultipleChoiceField(
        label=_("Post the prompt now on"),
        queryset=Channel.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Or leave these empty and give a post already out, below."),
    )

    class Meta:
        model = OpenQuestion
        fields = ["prompt", "post_to", "channel", "post_remote_id"]

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        publishers = [
            c.pk
            for c in Channel.objects.filter(workspace=workspace)
            if Capability.PUBLISH in _capabilities(c.kind)
        ]
        self.fields["post_to"].queryset = Channel.objects.filter(pk__in=publishers)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("post_to"):
            data["channel"], data["post_remote_id"] = None, ""
        elif not (data.get("channel") and data.get("post_remote_id")):
            raise forms.ValidationError(
                _("Choose channels to post the prompt on, or give a channel and a post id.")
            )
        return data


def _capabilities(kind: str) -> frozenset:
    try:
        return registry.connector_class(kind).capabilities
    except LookupError:
        return frozenset()


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = [
            "title", "description", "starts_at", "ends_at", "channel", "hashtag", "form_enabled",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "starts_at": when_widget(),
            "ends_at": when_widget(),
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(workspace=workspace)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The end comes after the start."))
        if not data.get("hashtag") and not data.get("form_enabled"):
            raise forms.ValidationError(
                _("Give a hashtag or open the public form: otherwise nobody can take part.")
            )
        data["hashtag"] = (data.get("hashtag") or "").strip().lstrip("#")
        return data


class SubmissionForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail"))
    text = forms.CharField(
        label=_("Your submission"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    link = forms.URLField(
        label=_("A link (photo, video, page)"), required=False, assume_scheme="https"
    )
