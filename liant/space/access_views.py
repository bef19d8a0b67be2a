"""Staff pages for who may do what on the space: the invited group of a category, the posting
limits per trust level, and how Liant's replies and announcements are signed. Every page
needs `space.manage` and looks objects up within the workspace's own space (another
workspace's id answers 404)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings as django_settings
from django.contrib import messages
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view
from liant.members.models import LEVEL_ORDER, Level
from liant.space import limits, permissions
from liant.space.models import Access, Category, Space
from liant.space.posting import space_of
from liant.space.views import PERMISSION

MAX_LIMIT = 1000


class SigningForm(forms.ModelForm):
    class Meta:
        model = Space
        fields = ["sign_with_agent", "publish_category"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this space's topic categories: the composer never posts into another's.
        self.fields["publish_category"].queryset = Category.objects.filter(  # type: ignore[attr-defined]
            space=self.instance, kind=Category.Kind.FORUM
        )
        self.fields["publish_category"].help_text = gettext_lazy(
            "A post from the composer opens an announcement topic there (else in the first "
            "category)."
        )


class LimitsForm(forms.Form):
    """Two numbers per level: topics and replies an hour (0: no limit)."""

    def __init__(self, *args: Any, current: dict[str, tuple[int, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for level in LEVEL_ORDER:
            label = Level(level).label
            topics, replies = current[level]
            self.fields[f"{level}_topics"] = forms.IntegerField(
                label=_("%(level)s: topics an hour") % {"level": label},
                min_value=0,
                max_value=MAX_LIMIT,
                initial=topics,
            )
            self.fields[f"{level}_replies"] = forms.IntegerField(
                label=_("%(level)s: replies an hour") % {"level": label},
                min_value=0,
                max_value=MAX_LIMIT,
                initial=replies,
            )

    def values(self) -> dict[str, tuple[int, int]]:
        data = self.cleaned_data
        return {level: (data[f"{level}_topics"], data[f"{level}_replies"]) for level in LEVEL_ORDER}


class GroupForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"))


@workspace_view(PERMISSION)
def access(request: WorkspaceRequest) -> HttpResponse:
    space = space_of(request.workspace)
    signing = SigningForm(request.POST or None, instance=space, prefix="signing")
    limits_form = LimitsForm(request.POST or None, current=limits.limits_of(space), prefix="limits")
    if request.method == "POST" and signing.is_valid() and limits_form.is_valid():
        with transaction.atomic():
            signing.save()
            limits.save_limits(space, limits_form.values())
        audit.record(request, "space.access_updated", target=space)
        messages.success(request, _("The space's limits and signature are saved."))
        return redirect("space_access", ws=request.workspace.slug)
    return render(
        request,
        "space/staff_access.html",
        {"space": space, "signing": signing, "limits": limits_form},
    )


def _group_category(request: WorkspaceRequest, pk: int) -> Category:
    return get_object_or_404(
        Category.objects.select_related("space__workspace"),
        pk=pk,
        space=space_of(request.workspace),
    )


@workspace_view(PERMISSION)
@require_POST
def group_add(request: WorkspaceRequest, pk: int) -> HttpResponse:
    category = _group_category(request, pk)
    form = GroupForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid e-mail address."))
    elif permissions.add_to_group(category, form.cleaned_data["email"]):
        invite(category, form.cleaned_data["email"])
        audit.record(request, "space.group_added", target=category)
        messages.success(request, _("Added to the group; an invitation is on its way."))
    else:
        messages.info(request, _("This address is already in the group."))
    return redirect("space_category_edit", ws=request.workspace.slug, pk=category.pk)


@workspace_view(PERMISSION)
@require_POST
def group_remove(request: WorkspaceRequest, pk: int) -> HttpResponse:
    category = _group_category(request, pk)
    if permissions.remove_from_group(category, request.POST.get("email", "")):
        audit.record(request, "space.group_removed", target=category)
        messages.success(request, _("Removed from the group."))
    return redirect("space_category_edit", ws=request.workspace.slug, pk=category.pk)


def invite(category: Category, email: str) -> None:
    """Tell the person where to go: the category's page (joining first if needed). The
    mail says nothing about whether the address already has an account."""
    space = category.space
    link = django_settings.SITE_URL + category.get_absolute_url()
    with translation.override(space.workspace.language or "fr"):
        send_mail(
            _("You are invited to “%(category)s” on %(space)s")
            % {"category": category.name, "space": space.title},
            _(
                "The team of %(space)s added you to the discussions of “%(category)s”.\n\n"
                "Open them here (join the space with this address if you have not yet):\n"
                "%(link)s\n"
            )
            % {"category": category.name, "space": space.title, "link": link},
            None,
            [email.strip().lower()],
        )


ACCESS_LABELS = dict(Access.choices)
