"""Maison Lumière's community: ~500 members on Mastodon, Bluesky and e-mail with six months
of activity, a few duplicates to merge, ambassadors, and regulars who have gone quiet.

The history is stored as activities (as if imported when the channels were connected), not as
events: events would land in the inbox and the moderation queue as six months of unanswered
messages. The demo events the other modules create attach to members the normal way.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db.models import Max, Min
from django.utils import timezone

from liant.channels.models import Channel, Health
from liant.demo.loader import DemoContext, step
from liant.members import attach, engagement, suggestions
from liant.members.models import (
    Activity,
    Consent,
    Identity,
    Kind,
    Member,
    MemberNote,
    Segment,
    Tag,
)


def words(text: str) -> list[str]:
    return text.split()


FIRST = words(
    "Léa Chloé Manon Camille Inès Sarah Emma Jade Louise Alice Lina Zoé Mila Rose Anna Julia "
    "Lucas Hugo Louis Nathan Gabriel Arthur Jules Adam Raphaël Tom Paul Théo Malo Sacha Noah "
    "Yanis Karim Amine Mehdi Fatou Aïcha Mariam Nadia Sofia Olivia Charlotte Pauline Marc "
    "Antoine Julien Nicolas Thomas Claire Élise Margaux Océane Baptiste Maxime Romain Kevin"
)
LAST = words(
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier "
    "Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc Guerin Muller "
    "Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez Fontaine Chevalier"
)
INSTANCES = ["piaille.fr", "mastodon.social", "framapiaf.org", "social.coop"]
CITIES = ["Lyon", "Paris", "Nantes", "Bordeaux", "Lille", "Marseille", "Montréal", "Bruxelles"]
TAGS = ["espresso", "filtre", "barista", "pro", "abonné", "atelier", "décaféiné", "latte-art"]
MEMBERS = 500
DAYS = 182


def _slug(text: str) -> str:
    from liant.text.normalise import fold

    return "".join(c for c in fold(text) if c.isalnum())


def _channels(context: DemoContext) -> dict[str, Channel | None]:
    workspace = context.workspaces["maison-lumiere"]
    bluesky, _ = Channel.objects.get_or_create(
        workspace=workspace,
        kind="bluesky",
        name="Maison Lumière (Bluesky)",
        defaults={
            "settings": {"service": "https://bsky.social", "handle": "maisonlumiere.bsky.social"},
            "health": Health.DISCONNECTED,
            "last_error": "Compte de démonstration : connectez un vrai compte Bluesky.",
            "created_by": context.users["camille"],
        },
    )
    return {
        "mastodon": Channel.objects.filter(workspace=workspace, kind="mastodon").first(),
        "bluesky": bluesky,
        "email": Channel.objects.filter(workspace=workspace, kind="email").first(),
    }


@step(145)  # after the inbox and moderation demos; before animation, which uses members
def community(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    if Activity.objects.filter(workspace=workspace, event__isnull=True).exists():
        return  # loaded before: the demo is idempotent
    channels = _channels(context)
    rng = random.Random(2026)
    now = timezone.now()
    tags = {name: Tag.objects.get_or_create(workspace=workspace, name=name)[0] for name in TAGS}
    people: list[tuple[Member, list[Identity], str]] = []
    used: set[str] = set()
    for _n in range(MEMBERS):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        handle = f"{_slug(first)}{_slug(last)[:4]}"
        while handle in used:
            handle += str(rng.randint(1, 9))
        used.add(handle)
        # Who they are: most are observers, a few are the regulars who make the place.
        profile = rng.choices(
            ["observer", "participant", "contributor", "ambassador", "slipping"],
            weights=[55, 28, 10, 3, 4],
        )[0]
        member = Member.objects.create(
            workspace=workspace,
            name=name,
            email=f"{handle}@exemple.fr" if rng.random() < 0.35 else "",
            language="en" if rng.random() < 0.12 else "fr",
            country="FR" if rng.random() < 0.8 else rng.choice(["BE", "CA", "CH"]),
            custom_fields={"ville": rng.choice(CITIES)} if rng.random() < 0.5 else {},
            created_at=now - timedelta(days=DAYS),
        )
        if rng.random() < 0.4:
            member.tags.add(*rng.sample(list(tags.values()), k=rng.randint(1, 2)))
        identities = []
        networks = rng.choices(
            [["mastodon"], ["bluesky"], ["email"], ["mastodon", "bluesky"], ["mastodon", "email"]],
            weights=[40, 25, 15, 12, 8],
        )[0]
        for network in networks:
            identities.append(_identity(workspace, member, network, handle, name, channels, rng))
        people.append((member, identities, profile))
    _activities(workspace, people, rng, now)
    _duplicates(workspace, people, channels, rng)
    _staff_and_bot(workspace, channels)
    for member, _ids, _profile in people:
        if member.email and rng.random() < 0.7:
            Consent.objects.create(
                member=member,
                purpose=Consent.Purpose.NEWSLETTER,
                text="Je souhaite recevoir la lettre de Maison Lumière (une par mois).",
                source="formulaire du site",
                at=now - timedelta(days=rng.randint(5, DAYS)),
            )
    ambassador = next(m for m, _i, p in people if p == "ambassador")
    MemberNote.objects.create(
        member=ambassador,
        author=context.users["camille"],
        text="Anime l'atelier latte-art de Lyon. Lui proposer le programme ambassadeur.",
    )
    Segment.objects.get_or_create(
        workspace=workspace,
        name="Abonnés newsletter actifs",
        defaults={"filters": {"consent": "newsletter", "active_within_days": 60}},
    )
    Segment.objects.get_or_create(
        workspace=workspace,
        name="Contributeurs et ambassadeurs",
        defaults={"filters": {"levels": ["contributor", "ambassador"]}},
    )
    context.notes.append(f"Members: {MEMBERS} people, six months of activity")


def _identity(workspace, member, network, handle, name, channels, rng) -> Identity:
    if network == "mastodon":
        instance = rng.choice(INSTANCES)
        url = f"https://{instance}/@{handle}"
        return Identity.objects.create(
            workspace=workspace,
            member=member,
            network="mastodon",
            key=url,
            channel=channels["mastodon"],
            remote_id=str(rng.randint(10**17, 10**18)),
            handle=f"{handle}@{instance}",
            name=name,
            url=url,
            followers=int(rng.paretovariate(1.2) * 40),
        )
    if network == "bluesky":
        did = f"did:plc:{handle}{rng.randint(100, 999)}"
        bsky = f"{handle}.bsky.social"
        return Identity.objects.create(
            workspace=workspace,
            member=member,
            network="bluesky",
            key=did,
            channel=channels["bluesky"],
            remote_id=did,
            handle=bsky,
            name=name,
            url=f"https://bsky.app/profile/{bsky}",
            followers=int(rng.paretovariate(1.3) * 30),
        )
    address = member.email or f"{handle}@exemple.fr"
    if not member.email:
        Member.objects.filter(pk=member.pk).update(email=address)
        member.email = address
    return Identity.objects.create(
        workspace=workspace,
        member=member,
        network="email",
        key=address,
        channel=channels["email"],
        remote_id=address,
        handle=address,
        name=name,
        email=address,
    )


# Activity per profile: (activities over six months, active until how many days ago).
RHYTHM = {
    "observer": (2, 60, 180),
    "participant": (8, 0, 60),
    "contributor": (30, 0, 10),
    "ambassador": (90, 0, 3),
    "slipping": (45, 25, 60),
}
KINDS = ["comment", "post", "reaction", "mention", "reaction", "comment", "follow"]


def _activities(workspace, people, rng, now) -> None:
    rows = []
    helpers = [ids for _m, ids, p in people if p in ("contributor", "ambassador")]
    askers = [ids[0] for _m, ids, p in people if p in ("participant", "observer")]
    for member, identities, profile in people:
        count, stop_min, stop_max = RHYTHM[profile]
        count = max(1, int(rng.gauss(count, count / 4)))
        last = rng.randint(stop_min, stop_max)
        for _ in range(count):
            if profile == "slipping":
                days = rng.uniform(last, last + 90)  # busy for three months, then quiet
            elif profile == "observer":
                days = rng.uniform(last, DAYS)
            else:
                days = rng.triangular(last, DAYS, last)  # more recent than not
            identity = rng.choice(identities)
            kind = rng.choice(KINDS)
            replied = None
            if kind == "comment" and identities in helpers and rng.random() < 0.4:
                replied = rng.choice(askers)
            rows.append(
                Activity(
                    workspace=workspace,
                    member=member,
                    identity=identity,
                    kind=kind if identity.network != "email" else "direct_message",
                    network=identity.network,
                    replied_to=replied,
                    occurred_at=now - timedelta(days=days, minutes=rng.randint(0, 600)),
                )
            )
    Activity.objects.bulk_create(rows, batch_size=2000)
    spans = (
        Activity.objects.filter(workspace=workspace)
        .values("identity_id")
        .annotate(first=Min("occurred_at"), last=Max("occurred_at"))
    )
    for span in spans:
        Identity.objects.filter(pk=span["identity_id"]).update(
            first_seen_at=span["first"], last_seen_at=span["last"]
        )
    for member, _identities, _profile in people:
        times = [a.occurred_at for a in rows if a.member_id == member.pk]
        Member.objects.filter(pk=member.pk).update(
            first_seen_at=min(times), last_active_at=max(times)
        )


def _duplicates(workspace, people, channels, rng) -> None:
    """Five people who wrote from a second account Liant could not tie to them yet."""
    now = timezone.now()
    for member, identities, _profile in people[10:15]:
        first = identities[0]
        twin = Member.objects.create(
            workspace=workspace,
            name=member.name.replace("é", "e").replace("è", "e"),
            email=member.email,
            language=member.language,
            created_at=now - timedelta(days=20),
        )
        network = "bluesky" if first.network != "bluesky" else "mastodon"
        handle = first.handle.split("@")[0].split(".")[0]
        identity = _identity(workspace, twin, network, handle, twin.name, channels, rng)
        Activity.objects.create(
            workspace=workspace,
            member=twin,
            identity=identity,
            kind="comment",
            network=network,
            occurred_at=now - timedelta(days=rng.randint(1, 15)),
        )
        Member.objects.filter(pk=twin.pk).update(
            first_seen_at=now - timedelta(days=20), last_active_at=now - timedelta(days=1)
        )


def _staff_and_bot(workspace, channels) -> None:
    staff = Member.objects.create(
        workspace=workspace, name="Camille Laurent (équipe)", kind=Kind.STAFF, language="fr"
    )
    Identity.objects.create(
        workspace=workspace,
        member=staff,
        network="mastodon",
        key="https://piaille.fr/@camille_lumiere",
        channel=channels["mastodon"],
        handle="camille_lumiere@piaille.fr",
        name="Camille Laurent",
        url="https://piaille.fr/@camille_lumiere",
    )
    bot = Member.objects.create(workspace=workspace, name="CaféBot", kind=Kind.BOT)
    Identity.objects.create(
        workspace=workspace,
        member=bot,
        network="mastodon",
        key="https://botsin.space/@cafebot",
        channel=channels["mastodon"],
        handle="cafebot@botsin.space",
        name="CaféBot",
        url="https://botsin.space/@cafebot",
    )


@step(190)  # last: the events and activities every other demo added count too
def scores(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    attach.attach_workspace(workspace.pk)
    result = engagement.score_workspace(workspace.pk)
    found = suggestions.suggest(workspace.pk)
    context.notes.append(
        f"Members scored: {result['members']} ({result['slipping']} slipping away, "
        f"{result['ambassadors']} possible ambassadors), {found} merge suggestions"
    )
