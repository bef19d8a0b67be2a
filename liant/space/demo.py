"""Demo data of the space: Maison Lumière's own community space, open, with three categories,
a pinned announcement by the brand and a dozen discussions in French and English.

Posts go through `publish_to_modules`, the path a member's post takes, so they arrive in the
inbox, moderation, members and listening like anything a member writes.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from liant.demo.loader import DemoContext, step
from liant.space import accounts, notifications, posting, reactions
from liant.space.models import Category, EmailFrequency, Post, SpaceAccount, Topic
from liant.space.posting import brand_account, open_channel, publish_to_modules, space_of

CATEGORIES = [
    ("Recettes & méthodes", "Espresso, filtre, piston, moka : vos recettes et vos questions."),
    ("Nos cafés", "Origines, torréfactions, dégustations — and tasting notes in English too."),
    ("Ateliers & événements", "Les ateliers à la brûlerie, les rencontres et les sorties."),
]

PEOPLE = [
    ("lea.martin@example.org", "Léa M.", "fr"),
    ("hugo.bernard@example.org", "Hugo B.", "fr"),
    ("sarah.dubois@example.org", "Sarah D.", "fr"),
    ("tom.leroy@example.org", "Tom L.", "fr"),
    ("emma.wright@example.org", "Emma W.", "en"),
    ("noah.evans@example.org", "Noah E.", "en"),
    ("ines.roux@example.org", "Inès R.", "fr"),
]

BIOS = {
    "Léa M.": "Barista amatrice à Lyon. Aeropress le matin, V60 le week-end.",
    "Hugo B.": "Torréfacteur du dimanche, toujours partant pour un atelier.",
    "Sarah D.": "Moka addict. J'apprends le latte art (lentement).",
    "Emma W.": "Cold brew all summer. Happy to help in English.",
    "Noah E.": "Decaf drinker, tea lover, curious about origins.",
}

# (topic index in TOPICS, author index, reaction) — members reacting to opening posts.
REACTIONS = [
    (0, 1, "like"),
    (0, 2, "idea"),
    (1, 5, "like"),
    (2, 3, "love"),
    (4, 4, "love"),
    (7, 0, "like"),
    (7, 1, "like"),
    (11, 2, "funny"),
]

ANNOUNCEMENT = (
    "Bienvenue dans le Comptoir !",
    "Bonjour à toutes et à tous,\n\nCe comptoir est le vôtre : posez vos questions, partagez "
    "vos recettes, proposez des idées. L'équipe répond ici même.\n\n"
    "*Welcome! English is welcome too.*\n\nMerci de lire la charte avant de poster.",
)

# (category index, days ago, author index, title, opening post, [(hours later, author, text)])
# An author of -1 is the brand.
TOPICS: list[tuple[int, int, int, str, str, list[tuple[int, int, str]]]] = [
    (
        0,
        18,
        0,
        "Quelle mouture pour l'Aeropress ?",
        "Je débute avec l'Aeropress : vous moulez comment, plutôt fin ou moyen ?",
        [
            (2, 1, "Moyen-fin chez moi, 2 minutes d'infusion, et c'est parfait."),
            (5, -1, "Bonne base ! Essayez aussi la méthode inversée avec notre Éthiopie Guji."),
        ],
    ),
    (
        0,
        15,
        4,
        "Cold brew ratio?",
        "What ratio do you use for cold brew with the Brazil? I tried 1:8 and it was too strong.",
        [
            (3, 5, "1:12 for 16 hours in the fridge works for me."),
            (6, 4, "Thanks, trying 1:12 this weekend!"),
        ],
    ),
    (
        0,
        12,
        2,
        "Moka pot : café amer, que faire ?",
        "Mon café à la cafetière italienne est toujours amer. Une idée ?",
        [
            (1, 3, "Retire-la du feu dès que ça commence à gargouiller."),
            (4, -1, "Et une mouture un peu plus grosse que pour l'espresso : ça change tout."),
        ],
    ),
    (
        0,
        6,
        6,
        "Latte art : vos astuces pour le cœur ?",
        "Je n'arrive jamais à faire un cœur net. Lait entier ou demi-écrémé ?",
        [(8, 0, "Entier, et chauffé à 60 °C maximum.")],
    ),
    (
        1,
        20,
        1,
        "Éthiopie Guji : notes de pêche ?",
        "Je trouve des notes de pêche blanche dans le Guji, vous aussi ?",
        [
            (2, 2, "Oui ! Et un peu de jasmin en filtre."),
            (30, 4, "Peach and bergamot for me, lovely coffee."),
        ],
    ),
    (
        1,
        9,
        5,
        "Is the decaf Swiss Water processed?",
        "Which method do you use for the decaf Colombia? I avoid solvents.",
        [(5, -1, "Yes: our decaf is Swiss Water processed, no solvent at all.")],
    ),
    (
        1,
        4,
        3,
        "Le nouveau Brésil en espresso",
        "Testé ce matin en espresso : très chocolaté, un peu de noisette. Top !",
        [(3, 6, "Pareil, parfait avec un nuage de lait.")],
    ),
    (
        1,
        2,
        4,
        "Subscription sizes",
        "Could the subscription offer 500 g bags? 250 g goes too fast at home.",
        [
            (1, 1, "+1, le 500 g serait pratique."),
            (6, 0, "Pareil pour nous, deux buveurs à la maison !"),
        ],
    ),
    (
        2,
        14,
        2,
        "Atelier dégustation du 12 : il reste des places ?",
        "Je voudrais venir avec une amie, il reste de la place ?",
        [(2, -1, "Oui, encore six places : l'inscription se fait sur la page de l'événement.")],
    ),
    (
        2,
        8,
        5,
        "Roastery visit in English?",
        "Do you plan a roastery visit in English? Happy to join with colleagues.",
        [(4, 4, "Me too, I'd love that.")],
    ),
    (
        2,
        5,
        0,
        "Retour sur l'atelier latte art",
        "Super atelier samedi, merci à toute l'équipe ! Vivement le prochain.",
        [
            (2, 6, "Merci à vous, c'était très sympa."),
            (3, 3, "Quelqu'un a noté la température conseillée pour le lait ?"),
        ],
    ),
    (
        2,
        1,
        1,
        "Un atelier cold brew cet été ?",
        "Avec la chaleur, un atelier cold brew serait génial. Qui serait partant ?",
        [(1, 2, "Moi !"), (2, 5, "Count me in.")],
    ),
]


@step(135)
def community_space(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    space = space_of(workspace)
    if not space.enabled:
        space.enabled = True
        space.title = "Le Comptoir Lumière"
        space.welcome_fr = (
            "Le lieu d'échange de la communauté **Maison Lumière** : recettes, cafés, "
            "ateliers. L'équipe y répond en personne."
        )
        space.welcome_en = (
            "The **Maison Lumière** community's own place: recipes, coffees, workshops. "
            "The team answers here in person."
        )
        space.save()
    open_channel(space, context.users["camille"])
    space.refresh_from_db()
    categories = []
    for position, (name, description) in enumerate(CATEGORIES):
        category, _ = Category.objects.get_or_create(
            space=space, name=name, defaults={"description": description, "position": position}
        )
        categories.append(category)
    url = settings.SITE_URL + space.get_absolute_url()
    if Topic.objects.filter(category__space=space).exists():
        context.notes.append(f"Community space: {url}")
        return  # already loaded: the demo is idempotent
    now = timezone.now()
    people = []
    for email, name, language in PEOPLE:
        account, _ = SpaceAccount.objects.get_or_create(
            space=space,
            email=email,
            defaults={"display_name": name, "language": language, "confirmed_at": now},
        )
        accounts.link_member(account)
        people.append(account)
    brand = brand_account(space)

    def who(index: int) -> SpaceAccount:
        return brand if index < 0 else people[index]

    title, body = ANNOUNCEMENT
    pinned = Topic.objects.create(
        category=categories[0],
        author=brand,
        title=title,
        pinned=True,
        announcement=True,
        created_at=now - timedelta(days=21),
        last_activity_at=now - timedelta(days=21),
    )
    Post.objects.create(topic=pinned, author=brand, body=body, created_at=pinned.created_at)
    opening: list[Post] = []
    for index, days, author, title, first_words, answers in TOPICS:
        started = now - timedelta(days=days, hours=index)
        topic = Topic.objects.create(
            category=categories[index],
            author=who(author),
            title=title,
            created_at=started,
            last_activity_at=started,
        )
        first = Post.objects.create(
            topic=topic, author=who(author), body=first_words, created_at=started
        )
        publish_to_modules(first, first_id=first.pk)
        notifications.follow(who(author), topic=topic)
        opening.append(first)
        last = started
        for hours, replier, text in answers:
            last = min(started + timedelta(hours=hours), now)
            post = Post.objects.create(
                topic=topic, author=who(replier), body=text, parent=first, created_at=last
            )
            publish_to_modules(post, first_id=first.pk)
            notifications.follow(who(replier), topic=topic)
            notifications.on_post(post)
        Topic.objects.filter(pk=topic.pk).update(last_activity_at=last)
    people_extras(people, opening)
    context.notes.append(
        f"Community space: {url} (3 categories, {len(TOPICS) + 1} topics, a pinned announcement,"
        " profiles, reactions and notifications)"
    )


def people_extras(people: list[SpaceAccount], opening: list[Post]) -> None:
    """Bios, a few reactions (events like any member's) and a mention, so profiles and the
    notification list have something to show."""
    for account in people:
        if account.display_name in BIOS:
            account.bio = BIOS[account.display_name]
            account.email_notifications = EmailFrequency.DAILY
            account.save(update_fields=["bio", "email_notifications"])
    for topic_index, who, kind in REACTIONS:
        post = opening[topic_index]
        if post.author_id != people[who].pk:
            reactions.toggle(people[who], post, kind)
    # Léa answers Emma in English, naming her: a mention notification for Emma.
    emma = people[4]
    topic = opening[1].topic
    posting.reply(
        people[0], topic, f"@{emma.handle} 1:12 here too, with the Brazil. Enjoy!", opening[1]
    )


# The space in the brand's colours (a dark blue band, the roaster's brown for links), a logo,
# a message to new members, a pinned question and an announcement with a last day.
THEME = {"primary_color": "#1d3557", "accent_color": "#8a4b14"}
MEMBER_WELCOME_FR = (
    "Bienvenue au **Comptoir** ! Présentez-vous dans *Nos cafés*, posez vos questions dans "
    "*Recettes & méthodes* et lisez la charte : l'équipe répond ici même."
)
MEMBER_WELCOME_EN = (
    "Welcome to the **Comptoir**! Say hello in *Nos cafés*, ask in *Recettes & méthodes*, and "
    "read the charter: the team answers right here."
)
PINNED_TITLE = "Is the decaf Swiss Water processed?"
TIMED_ANNOUNCEMENT = (
    "Atelier cold brew : inscriptions ouvertes",
    "Vous avez été nombreux à le demander : un **atelier cold brew** a lieu samedi en "
    "quinze à la brûlerie. Les inscriptions sont ouvertes sur la page *Animation*.\n\n"
    "*A cold brew workshop in two weeks — sign up on the Animation page.*",
)


def logo_png() -> bytes:
    """A small round logo drawn with Pillow (the demo ships no image file)."""
    import io  # noqa: PLC0415

    from PIL import Image, ImageDraw  # noqa: PLC0415

    image = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, 156, 156), fill=(138, 75, 20, 255))
    draw.ellipse((48, 30, 112, 130), fill=(246, 245, 242, 255))
    draw.arc((60, 36, 100, 124), start=100, end=260, fill=(138, 75, 20, 255), width=8)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@step(136)
def space_look_and_pins(context: DemoContext) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    from liant.space.theme import ThemeForm  # noqa: PLC0415

    space = space_of(context.workspaces["maison-lumiere"])
    if not space.logo:
        # Through the staff form, so the demo's logo passes the same checks as an upload.
        upload = SimpleUploadedFile("comptoir.png", logo_png(), content_type="image/png")
        form = ThemeForm(
            {
                "theme-primary_color": THEME["primary_color"],
                "theme-accent_color": THEME["accent_color"],
            },
            {"theme-upload": upload},
            instance=space,
            prefix="theme",
        )
        assert form.is_valid(), form.errors
        space = form.save()
    if not space.member_welcome_fr:
        space.member_welcome_fr = MEMBER_WELCOME_FR
        space.member_welcome_en = MEMBER_WELCOME_EN
        space.save(update_fields=["member_welcome_fr", "member_welcome_en"])
    Topic.objects.filter(category__space=space, title=PINNED_TITLE).update(pinned=True)
    title, body = TIMED_ANNOUNCEMENT
    if not Topic.objects.filter(category__space=space, title=title).exists():
        workshops = Category.objects.filter(space=space).order_by("position", "pk").last()
        if workshops is not None:
            topic = posting.announce(space, workshops, title, body, pinned=False)
            topic.announcement_until = timezone.localdate() + timedelta(days=14)
            topic.save(update_fields=["announcement_until"])
    context.notes.append(
        "Community space: its colours and logo, a message to new members, a pinned topic "
        "and an announcement shown for two weeks"
    )
