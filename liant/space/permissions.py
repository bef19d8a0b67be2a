"""Who reads and writes in a category: the one place every page and query of the space asks.

- public: anyone reads, an account of this space writes;
- members only: an account signed in to this space reads and writes; a visitor is sent to the
  sign-in page;
- invited group: only the accounts whose address the community manager added to the
  category's group (`GroupMember`); a visitor is sent to sign in, anyone else gets a 404, as
  for a category that does not exist.

Every listing filters with `readable(account, path)` (a `Q` over the path from the queried
model to its category), so a topic of a closed category leaks neither in a category, a topic,
search, a profile, notifications and digest mails, nor in whatever lists posts next (feeds,
the home's latest topics): they take the same `Q`. The brand's own account reads everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from liant.space.accounts import normalise_email
from liant.space.models import Access, Category, GroupMember, Post, SpaceAccount, Topic


def _field(path: str, name: str) -> str:
    return f"{path}__{name}" if path else name


def readable(account: SpaceAccount | None, path: str = "") -> Q:
    """A filter keeping rows whose category `account` may read. `path` leads from the
    queried model to the category: "" for Category, "category" for Topic,
    "topic__category" for Post, "post__topic__category" for a Notification."""
    public = Q(**{_field(path, "access"): Access.PUBLIC})
    if account is None:
        return public
    if account.staff:
        return Q()
    invited = GroupMember.objects.filter(email=account.email).values("category_id")
    return (
        public
        | Q(**{_field(path, "access"): Access.MEMBERS})
        | Q(**{_field(path, "access"): Access.GROUP, _field(path, "pk__in"): invited})
    )


def can_read(category: Category, account: SpaceAccount | None) -> bool:
    if category.access == Access.PUBLIC:
        return True
    if account is None or account.space_id != category.space_id:
        return False
    if account.staff or category.access == Access.MEMBERS:
        return True
    return GroupMember.objects.filter(category=category, email=account.email).exists()


def readers(accounts: QuerySet[SpaceAccount], category: Category) -> QuerySet[SpaceAccount]:
    """The accounts among `accounts` who may read `category`: notifications are created for
    them only, so a post in an invited group's category leaves no row behind for someone
    outside it (nor for them once added later: old posts are not news)."""
    accounts = accounts.filter(space_id=category.space_id)
    if category.access != Access.GROUP:
        return accounts  # public and members only: every account of this space reads it
    invited = GroupMember.objects.filter(category=category).values("email")
    return accounts.filter(Q(staff=True) | Q(email__in=invited))


def can_write(category: Category, account: SpaceAccount | None) -> bool:
    return account is not None and can_read(category, account)


def refuse(category: Category, account: SpaceAccount | None) -> HttpResponse | None:
    """None when `account` may read `category`; else what the page answers: the sign-in
    page for a visitor (an account may open it), a 404 for an account that may not."""
    if can_read(category, account):
        return None
    if account is None:
        return redirect("space_signin", slug=category.space.slug)
    raise Http404


# --- The querysets the pages list -----------------------------------------------------------


def categories(space: Any, account: SpaceAccount | None) -> Any:
    return Category.objects.filter(readable(account), space=space)


def topics(space: Any, account: SpaceAccount | None) -> Any:
    return Topic.objects.filter(readable(account, "category"), category__space=space)


def posts(space: Any, account: SpaceAccount | None) -> Any:
    return Post.objects.filter(readable(account, "topic__category"), topic__category__space=space)


# --- The group ------------------------------------------------------------------------------


def add_to_group(category: Category, email: str) -> bool:
    """True when the address was not in the group yet."""
    _row, created = GroupMember.objects.get_or_create(
        category=category, email=normalise_email(email)
    )
    return created


def remove_from_group(category: Category, email: str) -> int:
    deleted, _rows = GroupMember.objects.filter(
        category=category, email=normalise_email(email)
    ).delete()
    return deleted
