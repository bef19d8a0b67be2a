"""Members from a CSV file: a spreadsheet export, a former tool's contacts, a sign-up sheet.

Each row is imported in its own savepoint, so one bad row is refused with its line and reason
and the others still land. A row finds its member the way events do: an account (network +
handle) keyed exactly as liant/members/attach.identity_key keys it, then an e-mail address;
so importing twice updates, and a later message from that account attaches to the imported
member instead of creating a second one.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liant.channels.models import Channel
from liant.connectors import registry
from liant.core.models import Workspace
from liant.members.attach import NOT_PEOPLE, identity_key
from liant.members.models import Consent, Identity, Member, Tag

MAX_BYTES = 1024 * 1024  # ~10,000 typical rows of text; the row limit usually bites first
# Measured ~125 new rows/s on a loaded 2-core machine (SQLite, ~14 queries a row): 2000 rows
# stay well within gunicorn's 30-second request timeout.
MAX_ROWS = 2000
COLUMNS = (
    "name",
    "email",
    "handle",
    "network",
    "language",
    "country",
    "tags",
    "newsletter",
    "consent_text",
    "consent_date",
)
# French headers people type in their own spreadsheets.
ALIASES = {
    "nom": "name",
    "e-mail": "email",
    "mail": "email",
    "courriel": "email",
    "pseudo": "handle",
    "réseau": "network",
    "reseau": "network",
    "langue": "language",
    "pays": "country",
    "étiquettes": "tags",
    "etiquettes": "tags",
}
FIELD_PREFIX = "field:"
YES = {"yes", "y", "oui", "o", "true", "1", "x"}
NO = {"no", "n", "non", "false", "0"}
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y")


class FileRefused(Exception):
    """The whole file cannot be read; the message says why, in the reader's language."""


class RowRefused(Exception):
    pass


@dataclass
class RowResult:
    line: int
    outcome: str  # "imported", "updated" or "refused"
    label: str = ""
    member_id: int | None = None
    reasons: list[str] = field(default_factory=list)


@dataclass
class Report:
    filename: str
    encoding: str
    delimiter: str
    rows: list[RowResult] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def imported(self) -> int:
        return self.count("imported")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def refused(self) -> int:
        return self.count("refused")

    def summary(self) -> dict[str, int]:
        return {"imported": self.imported, "updated": self.updated, "refused": self.refused}


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without the BOM spreadsheets add), else the Windows encoding Excel
    uses in France, else Latin-1, which reads any byte."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _header_key(cell: str) -> str:
    name = cell.strip().lower()
    if name.startswith(FIELD_PREFIX):
        return FIELD_PREFIX + cell.strip()[len(FIELD_PREFIX) :].strip()
    return ALIASES.get(name, name)


def _known(header: list[str]) -> int:
    return sum(
        1 for c in header if _header_key(c) in COLUMNS or _header_key(c).startswith("field:")
    )


def delimiter_of(text: str) -> str:
    """`;` (French spreadsheets) or `,`, as csv.Sniffer sees the first lines; the header
    has the last word, since Sniffer can be fooled by commas inside a bio."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        sniffed = ","
    first = text.splitlines()[0] if text.strip() else ""
    best = max(
        [sniffed, ";", ",", "\t"],
        key=lambda d: _known(next(csv.reader([first], delimiter=d), [])),
    )
    return best


def parse_date(value: str, zone: ZoneInfo) -> datetime:
    """A date without a time zone is in the workspace's."""
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        for pattern in DATE_FORMATS:
            try:
                parsed = datetime.strptime(value, pattern)
                break
            except ValueError:
                continue
        else:
            raise RowRefused(
                _("consent_date: “%(value)s” is not a date (2026-03-31 or 31/03/2026).")
                % {"value": value[:40]}
            ) from None
    if isinstance(parsed, date) and not isinstance(parsed, datetime):
        parsed = datetime.combine(parsed, time())
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, zone)
    if parsed > timezone.now():
        raise RowRefused(_("consent_date: the date is in the future."))
    return parsed


@dataclass
class Account:
    """A handle read from the file, keyed like the events of that account will be."""

    network: str
    key: str
    handle: str
    remote_id: str = ""
    url: str = ""
    channel_id: int | None = None
    identity: Identity | None = None  # when the workspace already has this account


def account_of(
    workspace: Workspace, network: str, handle: str, channels: list[Channel] | None = None
) -> Account:
    network = network.strip().lower()
    handle = handle.strip()
    if network not in registry.KINDS or network in NOT_PEOPLE:
        raise RowRefused(
            _("network: “%(network)s” is not one of: %(known)s.")
            % {
                "network": network[:40],
                "known": ", ".join(k for k in registry.KINDS if k not in NOT_PEOPLE),
            }
        )
    if network == "email":
        address = handle.lower()
        _check_email(address, "handle")
        return Account(network, identity_key(network, 0, address, address, ""), address, address)
    # An account this workspace has already seen (attachment makes an identity of every
    # author within seconds): its identity holds the key the attachment gave it (a Bluesky
    # DID, a Mastodon profile URL). An exact lookup, so the (workspace, handle) index serves.
    bare = handle.lstrip("@") if network != "matrix" else handle
    seen = (
        Identity.objects.filter(
            workspace=workspace, network=network, handle__in={bare, bare.lower()}
        )
        .select_related("member")
        .order_by("pk")
        .first()
    )
    if seen is not None:
        return Account(
            network, seen.key, seen.handle, seen.remote_id, seen.url, seen.channel_id, seen
        )
    if network == "mastodon":
        return _mastodon(workspace, bare, channels)
    if network == "matrix" and not re.match(r"^@[^:\s]+:[^\s]+$", handle):
        raise RowRefused(_("handle: a Matrix account looks like @name:server.org."))
    if network == "bluesky" and bare.lower().startswith("did:"):
        return Account(network, identity_key(network, 0, bare, "", ""), "", bare)
    # Networks keyed by an account id (Bluesky's DID) cannot be keyed from a handle
    # offline: the identity is keyed by the handle until that account's first event.
    return Account(network, identity_key(network, 0, "", bare, ""), bare)


def _mastodon(workspace: Workspace, handle: str, channels: list[Channel] | None) -> Account:
    """Mastodon keys an account by its profile URL, https://<instance>/@<user>."""
    user, _sep, instance = handle.partition("@")
    if channels is None:
        channels = list(Channel.objects.filter(workspace=workspace, kind="mastodon"))
    if not instance:
        # A bare name is local to an instance: only clear when we have one Mastodon channel.
        if len(channels) != 1:
            raise RowRefused(_("handle: write the full Mastodon address, @name@instance."))
        instance = urlsplit(str(channels[0].settings.get("instance_url", ""))).hostname or ""
    if not user or not instance or not re.match(r"^[\w.-]+\.[a-z]{2,}$", instance, re.I):
        raise RowRefused(_("handle: write the full Mastodon address, @name@instance."))
    instance = instance.lower()
    url = f"https://{instance}/@{user}"
    local = [
        c
        for c in channels
        if (urlsplit(str(c.settings.get("instance_url", ""))).hostname or "").lower() == instance
    ]
    # On its own instance an account's handle is the bare name, as the API gives it.
    shown = user if local else f"{user}@{instance}"
    return Account("mastodon", identity_key("mastodon", 0, "", shown, url), shown, url=url)


def _check_email(value: str, column: str = "email") -> None:
    try:
        validate_email(value)
    except ValidationError:
        raise RowRefused(
            _("%(column)s: “%(value)s” is not a valid e-mail address.")
            % {"column": column, "value": value[:80]}
        ) from None


def _kept(member: Member | None) -> Member | None:
    """A merged member's rows live with the member it was merged into."""
    hops = 0
    while member is not None and member.merged_into_id and hops < 20:
        member = Member.objects.get(pk=member.merged_into_id)
        hops += 1
    return member


@dataclass
class Row:
    name: str = ""
    email: str = ""
    account: Account | None = None
    language: str = ""
    country: str = ""
    tags: list[str] = field(default_factory=list)
    custom: dict[str, str] = field(default_factory=dict)
    newsletter: bool | None = None
    consent_text: str = ""
    consent_at: datetime | None = None


def read_row(
    workspace: Workspace, cells: dict[str, str], channels: list[Channel] | None = None
) -> Row:
    """Checks a row and returns what to write; RowRefused says why not, naming the column."""
    get = lambda name: (cells.get(name) or "").strip()  # noqa: E731 - a local shorthand
    row = Row(name=get("name")[:300], email=get("email").lower())
    handle, network = get("handle"), get("network")
    if not (row.name or row.email or handle):
        raise RowRefused(_("A row needs at least a name, an e-mail address or a handle."))
    if row.email:
        _check_email(row.email)
    if handle and not network:
        raise RowRefused(_("network: say which network the handle is on."))
    if network and not handle:
        network = ""  # a network alone says nothing about the person
    if handle:
        row.account = account_of(workspace, network, handle, channels)
    language = get("language").lower()
    if language and not LANGUAGE_RE.match(language):
        raise RowRefused(
            _("language: “%(value)s” is not a language code like fr or en.")
            % {"value": language[:20]}
        )
    row.language = language
    country = get("country").upper()
    if country and not re.match(r"^[A-Z]{2}$", country):
        raise RowRefused(
            _("country: “%(value)s” is not a two-letter country code like FR.")
            % {"value": country[:20]}
        )
    row.country = country
    row.tags = [t.strip()[:60] for t in get("tags").split(";") if t.strip()]
    row.custom = {
        k[len(FIELD_PREFIX) :]: v.strip()
        for k, v in cells.items()
        if k and k.startswith(FIELD_PREFIX) and k[len(FIELD_PREFIX) :] and (v or "").strip()
    }
    newsletter = get("newsletter").lower()
    if newsletter in YES:
        row.newsletter = True
    elif newsletter in NO:
        row.newsletter = False
    elif newsletter:
        raise RowRefused(
            _("newsletter: “%(value)s” is neither yes nor no.") % {"value": newsletter[:20]}
        )
    row.consent_text = get("consent_text")
    if get("consent_date"):
        row.consent_at = parse_date(get("consent_date"), ZoneInfo(workspace.timezone))
    return row


def write_row(
    workspace: Workspace, row: Row, source: str, tags: dict[str, Tag] | None = None
) -> tuple[Member, bool]:
    """The member the row describes, created or updated; True when created."""
    by_account: Member | None = None
    identity = None
    if row.account is not None:
        identity = row.account.identity or (
            Identity.objects.filter(
                workspace=workspace, network=row.account.network, key=row.account.key
            )
            .select_related("member")
            .first()
        )
        by_account = _kept(identity.member) if identity else None
    by_email: Member | None = None
    mail_identity = None
    if row.email:
        mail_identity = Identity.objects.filter(
            workspace=workspace, network="email", key=row.email
        ).first()
        by_email = _kept(mail_identity.member) if mail_identity else None
        if by_email is None:
            by_email = Member.objects.filter(
                workspace=workspace,
                # Exact (the address is stored lower-cased by attachment and import), so the
                # (workspace, email) index serves: iexact scanned every member, row after row.
                email=row.email,
                merged_into__isnull=True,
                erased_at__isnull=True,
            ).first()
    if by_account and by_email and by_account.pk != by_email.pk:
        raise RowRefused(
            _(
                "The handle belongs to member #%(first)s and the e-mail address to member "
                "#%(second)s: merge them first."
            )
            % {"first": by_account.pk, "second": by_email.pk}
        )
    member = by_account or by_email
    created = member is None
    if member is None:
        member = Member(
            workspace=workspace,
            name=row.name or (row.account.handle if row.account else ""),
        )
    for name in ("name", "email", "language", "country"):
        if getattr(row, name):
            setattr(member, name, getattr(row, name))
    member.custom_fields = {**(member.custom_fields or {}), **row.custom}
    member.save()
    if row.tags:
        tags = {} if tags is None else tags  # one lookup per tag per file, not per row
        for name in row.tags:
            if name not in tags:
                tags[name] = Tag.objects.get_or_create(workspace=workspace, name=name)[0]
        member.tags.add(*[tags[name] for name in row.tags])
    if row.account is not None and identity is None:
        a = row.account
        Identity.objects.create(
            workspace=workspace,
            member=member,
            network=a.network,
            key=a.key,
            channel_id=a.channel_id,
            remote_id=a.remote_id,
            handle=a.handle,
            url=a.url,
            email=a.handle if a.network == "email" else "",
        )
    if (
        row.email
        and not Identity.objects.filter(
            workspace=workspace, network="email", key=row.email
        ).exists()
    ):
        # The address is an account too: a message from it on an e-mail channel attaches here.
        Identity.objects.create(
            workspace=workspace,
            member=member,
            network="email",
            key=identity_key("email", 0, row.email, row.email, ""),
            remote_id=row.email,
            handle=row.email,
            email=row.email,
        )
    if row.newsletter is not None:
        at = row.consent_at or timezone.now()
        consent = {
            "purpose": Consent.Purpose.NEWSLETTER,
            "granted": row.newsletter,
            "source": source[:200],
            "at": at,
        }
        # Importing the same file twice records the same consent once.
        if created or not member.consents.filter(**consent).exists():
            Consent.objects.create(member=member, text=row.consent_text, **consent)
    return member, created


def import_csv(workspace: Workspace, filename: str, data: bytes) -> Report:
    """Reads the file and imports it row by row; FileRefused when the file as a whole cannot.
    The limits keep a web request within its timeout; `liant import` calls import_rows
    directly, without them."""
    if len(data) > MAX_BYTES:
        raise FileRefused(
            _("The file is larger than %(size)s MB: split it into smaller files.")
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    text, encoding = decode(data)
    if not text.strip():
        raise FileRefused(_("The file is empty."))
    delimiter = delimiter_of(text)
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    try:
        header = [_header_key(c) for c in next(reader)]
    except (StopIteration, csv.Error):
        raise FileRefused(_("The file is not a CSV file.")) from None
    if not {"name", "email", "handle"} & set(header):
        raise FileRefused(
            _("The first line must name the columns: at least name, email or handle.")
        )
    report = Report(filename=filename, encoding=encoding, delimiter=delimiter)
    report.ignored_columns = [
        c for c in header if c and c not in COLUMNS and not c.startswith(FIELD_PREFIX)
    ]
    lines: list[tuple[int, list[str]]] = []
    last = reader.line_num
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                lines.append((last + 1, cells))
            last = reader.line_num
    except csv.Error as error:
        raise FileRefused(
            _("Line %(line)s cannot be read: %(error)s") % {"line": last + 1, "error": error}
        ) from None
    if len(lines) > MAX_ROWS:
        raise FileRefused(
            _("The file has %(rows)s rows; at most %(max)s are imported at once: split it.")
            % {"rows": len(lines), "max": MAX_ROWS}
        )
    with transaction.atomic():
        for (_line, cells), result in zip(
            lines,
            import_rows(
                workspace,
                ((line, dict(zip(header, cells, strict=False))) for line, cells in lines),
                f"import {filename}",
            ),
            strict=True,
        ):
            if len(cells) > len(header):
                result.reasons.append(_("More cells than columns: the extra ones were ignored."))
            report.rows.append(result)
    return report


def import_rows(
    workspace: Workspace, rows: Iterable[tuple[int, dict[str, str]]], source: str
) -> Iterator[RowResult]:
    """Each (line, cells) row in its own savepoint: a refused row leaves nothing behind and
    the next one still lands. The CSV import above and `liant import members` share it."""
    # Read once per file rather than once per row.
    tags: dict[str, Tag] = {}
    channels = list(Channel.objects.filter(workspace=workspace, kind="mastodon"))
    for line, values in rows:
        label = values.get("name") or values.get("email") or values.get("handle") or ""
        result = RowResult(line=line, outcome="refused", label=label.strip()[:80])
        try:
            row = read_row(workspace, values, channels)
            with transaction.atomic():
                member, created = write_row(workspace, row, source, tags)
            result.outcome = "imported" if created else "updated"
            result.member_id = member.pk
        except RowRefused as refused:
            result.reasons.append(str(refused))
        except DatabaseError:
            result.reasons.append(_("The database refused this row."))
        yield result


def sample() -> str:
    """A file to start from, offered on the import page."""
    return (
        "name;email;handle;network;language;country;tags;newsletter;consent_text;"
        "consent_date;field:city\n"
        "Camille Martin;camille@example.org;@camille@piaille.example;mastodon;fr;FR;"
        '"ambassador;paris";yes;I agree to receive the newsletter;2026-01-15;Paris\n'
    )
