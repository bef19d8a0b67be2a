"""Demo media library for Maison Lumière: three dozen images drawn here with Pillow (gradients,
shapes and the brand's name; nothing is downloaded), in folders, tagged, described in French
and English. Two are left without a description, so the alt-text warning can be seen.

A later step (after the publishing demo) puts a few of them on the demo's draft posts."""

from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageColor, ImageDraw, ImageFont

from liant.demo.loader import DemoContext, step
from liant.media import library
from liant.media.models import Folder, MediaItem

# Brand colours: roast browns, cream, a copper accent, a night blue.
PALETTES = [
    ("#3b2314", "#c8702a"),
    ("#f3e6cf", "#8a4b14"),
    ("#1d2b44", "#d9a441"),
    ("#5a3a22", "#f3e6cf"),
    ("#2f4f3a", "#e8c07d"),
    ("#7b2d26", "#f6d7a7"),
]

# (folder, subject FR, subject EN, tags, shape)
SUBJECTS = [
    (
        "Produits",
        "un paquet de café Éthiopie Guji",
        "a bag of Ethiopia Guji coffee",
        "guji,origines",
        "bag",
    ),
    (
        "Produits",
        "un paquet de café Colombie Huila",
        "a bag of Colombia Huila coffee",
        "colombie,origines",
        "bag",
    ),
    ("Produits", "un paquet de décaféiné", "a bag of decaf coffee", "decafeine", "bag"),
    (
        "Produits",
        "une tasse de filtre fumante",
        "a steaming cup of filter coffee",
        "filtre,tasse",
        "cup",
    ),
    (
        "Produits",
        "un espresso sur un comptoir",
        "an espresso on a counter",
        "espresso,tasse",
        "cup",
    ),
    (
        "Produits",
        "un cappuccino vu du dessus",
        "a cappuccino seen from above",
        "cappuccino,tasse",
        "cup",
    ),
    (
        "Boutique",
        "la vitrine de la boutique au matin",
        "the shop window in the morning",
        "boutique,vitrine",
        "window",
    ),
    ("Boutique", "la façade de la boutique", "the shop front", "boutique", "window"),
    (
        "Boutique",
        "le comptoir et la machine à espresso",
        "the counter and the espresso machine",
        "boutique,comptoir",
        "window",
    ),
    ("Boutique", "la vitrine de Noël", "the Christmas window", "boutique,noel", "window"),
    ("Boutique", "les étagères de paquets", "shelves of coffee bags", "boutique,origines", "bag"),
    (
        "Boutique",
        "une ardoise des cafés du jour",
        "a chalkboard of the day's coffees",
        "boutique,menu",
        "board",
    ),
    ("Ateliers", "l'atelier latte art", "the latte art workshop", "ateliers,latte-art", "cup"),
    (
        "Ateliers",
        "un cœur dessiné dans le lait",
        "a heart drawn in milk",
        "ateliers,latte-art",
        "heart",
    ),
    ("Ateliers", "l'atelier dégustation", "the tasting workshop", "ateliers,degustation", "cup"),
    (
        "Ateliers",
        "des cuillères de dégustation alignées",
        "tasting spoons in a row",
        "ateliers,degustation",
        "circles",
    ),
    ("Ateliers", "l'atelier méthode douce", "the slow brew workshop", "ateliers,filtre", "cup"),
    ("Ateliers", "un minuteur et une balance", "a timer and a scale", "ateliers,filtre", "circles"),
    (
        "Coulisses",
        "le torréfacteur en marche",
        "the roaster running",
        "coulisses,torrefaction",
        "drum",
    ),
    (
        "Coulisses",
        "des grains qui refroidissent",
        "beans cooling down",
        "coulisses,torrefaction",
        "circles",
    ),
    ("Coulisses", "des sacs de café vert", "sacks of green coffee", "coulisses,origines", "bag"),
    (
        "Coulisses",
        "la courbe de torréfaction",
        "the roast curve",
        "coulisses,torrefaction",
        "curve",
    ),
    (
        "Coulisses",
        "l'équipe autour d'une table de cupping",
        "the team around a cupping table",
        "coulisses,equipe",
        "circles",
    ),
    ("Coulisses", "le carnet de torréfaction", "the roasting notebook", "coulisses", "board"),
    (
        "Événements",
        "le stand au marché de Noël",
        "the stall at the Christmas market",
        "evenements,noel",
        "window",
    ),
    ("Événements", "l'affiche des portes ouvertes", "the open day poster", "evenements", "poster"),
    (
        "Événements",
        "l'affiche du concours latte art",
        "the latte art contest poster",
        "evenements,latte-art",
        "poster",
    ),
    (
        "Événements",
        "le gâteau des cinq ans",
        "the fifth birthday cake",
        "evenements,anniversaire",
        "heart",
    ),
    (
        "Événements",
        "une file devant la boutique",
        "a queue outside the shop",
        "evenements,boutique",
        "window",
    ),
    ("Événements", "des gobelets réutilisables", "reusable cups", "evenements,zero-dechet", "cup"),
    (
        "Logos",
        "le logo Maison Lumière sur fond crème",
        "the Maison Lumière logo on cream",
        "logo",
        "logo",
    ),
    (
        "Logos",
        "le logo Maison Lumière sur fond sombre",
        "the Maison Lumière logo on dark",
        "logo",
        "logo",
    ),
    ("Logos", "le monogramme ML", "the ML monogram", "logo", "logo"),
    (
        "Logos",
        "une bannière pour les réseaux",
        "a banner for the networks",
        "logo,banniere",
        "poster",
    ),
    ("Produits", "un coffret cadeau", "a gift box", "noel,cadeau", "bag"),
    ("Produits", "une cafetière à piston", "a French press", "filtre", "cup"),
]
UNDESCRIBED = {"le monogramme ML", "des gobelets réutilisables"}  # the alt-text warning's example
SIZES = [(1600, 1200), (1200, 1200), (1080, 1350), (1920, 1080), (1200, 1600)]


def gradient(size: tuple[int, int], top: str, bottom: str) -> Image.Image:
    """A vertical gradient from `top` to `bottom`, widened from one column (fast)."""
    start = Image.new("RGB", (1, 2))
    start.putpixel((0, 0), ImageColor.getrgb(top))
    start.putpixel((0, 1), ImageColor.getrgb(bottom))
    return start.resize(size, Image.Resampling.BILINEAR)


def draw_shape(
    draw: ImageDraw.ImageDraw, shape: str, size: tuple[int, int], ink: str, rng: random.Random
) -> None:
    w, h = size
    cx, cy = w // 2, int(h * 0.45)
    unit = min(w, h) // 5
    if shape == "cup":
        draw.rounded_rectangle(
            (cx - unit, cy - unit // 2, cx + unit, cy + unit), radius=unit // 4, fill=ink
        )
        draw.arc(
            (cx + unit - unit // 3, cy - unit // 4, cx + unit + unit // 2, cy + unit // 2),
            270,
            90,
            fill=ink,
            width=max(4, unit // 8),
        )
        for offset in (-unit // 2, 0, unit // 2):
            draw.line(
                [(cx + offset, cy - unit), (cx + offset + unit // 6, cy - int(unit * 1.5))],
                fill=ink,
                width=max(3, unit // 12),
            )
    elif shape == "bag":
        draw.polygon(
            [
                (cx - unit, cy - unit),
                (cx + unit, cy - unit),
                (cx + int(unit * 1.2), cy + int(unit * 1.3)),
                (cx - int(unit * 1.2), cy + int(unit * 1.3)),
            ],
            fill=ink,
        )
    elif shape == "window":
        draw.rectangle(
            (cx - 2 * unit, cy - unit, cx + 2 * unit, cy + unit),
            outline=ink,
            width=max(6, unit // 6),
        )
        draw.line([(cx, cy - unit), (cx, cy + unit)], fill=ink, width=max(6, unit // 6))
    elif shape == "heart":
        r = unit // 2
        draw.ellipse((cx - 2 * r, cy - r, cx, cy + r), fill=ink)
        draw.ellipse((cx, cy - r, cx + 2 * r, cy + r), fill=ink)
        draw.polygon(
            [(cx - 2 * r, cy + r // 4), (cx + 2 * r, cy + r // 4), (cx, cy + 2 * r)], fill=ink
        )
    elif shape == "circles":
        for _n in range(14):
            r = rng.randint(unit // 6, unit // 2)
            x, y = rng.randint(r, w - r), rng.randint(r, int(h * 0.75))
            draw.ellipse((x - r, y - r, x + r, y + r), outline=ink, width=max(3, r // 5))
    elif shape == "drum":
        draw.ellipse(
            (cx - unit, cy - unit, cx + unit, cy + unit), outline=ink, width=max(8, unit // 5)
        )
        for angle in range(0, 360, 45):
            a = math.radians(angle)
            draw.line(
                [(cx, cy), (cx + int(unit * math.cos(a)), cy + int(unit * math.sin(a)))],
                fill=ink,
                width=4,
            )
    elif shape == "curve":
        points = [
            (int(w * 0.1 + i * w * 0.08), int(h * 0.7 - (h * 0.4) * math.sin(i / 3.5)))
            for i in range(11)
        ]
        draw.line(points, fill=ink, width=max(5, unit // 8), joint="curve")
    elif shape == "board":
        draw.rectangle(
            (cx - 2 * unit, cy - int(1.3 * unit), cx + 2 * unit, cy + int(1.3 * unit)),
            fill="#222222",
            outline=ink,
            width=12,
        )
    else:  # poster, logo: a frame for the name
        draw.rectangle(
            (w // 12, h // 12, w - w // 12, h - h // 12), outline=ink, width=max(4, unit // 10)
        )


def make_image(index: int, subject_en: str, shape: str) -> bytes:
    rng = random.Random(index)  # the same image every time the demo loads
    size = SIZES[index % len(SIZES)]
    dark, light = PALETTES[index % len(PALETTES)]
    image = gradient(size, dark, light) if index % 2 else gradient(size, light, dark)
    draw = ImageDraw.Draw(image)
    ink = light if index % 2 else dark
    draw_shape(draw, shape, size, ink, rng)
    font = ImageFont.load_default(size=max(36, size[0] // 16))
    draw.text(
        (size[0] // 2, int(size[1] * 0.86)), "Maison Lumière", font=font, fill=ink, anchor="mm"
    )
    small = ImageFont.load_default(size=max(20, size[0] // 40))
    draw.text((size[0] // 2, int(size[1] * 0.94)), subject_en, font=small, fill=ink, anchor="mm")
    out = io.BytesIO()
    if shape == "logo":
        image.save(out, "PNG")
    else:
        image.save(out, "JPEG", quality=88)
    return out.getvalue()


def filename(index: int, subject_en: str, shape: str) -> str:
    words = "".join(c if c.isalnum() else "-" for c in subject_en.lower()).strip("-")
    slug = "-".join(w for w in words.split("-") if w)[:40]
    return f"{index + 1:02d}-{slug}.{'png' if shape == 'logo' else 'jpg'}"


@step(118)
def media_library(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    camille = context.users.get("camille")
    folders = {
        name: Folder.objects.get_or_create(workspace=workspace, name=name)[0]
        for name in dict.fromkeys(s[0] for s in SUBJECTS)
    }
    existing = set(MediaItem.objects.filter(workspace=workspace).values_list("name", flat=True))
    added = 0
    for index, (folder, fr, en, tags, shape) in enumerate(SUBJECTS):
        name = filename(index, en, shape)
        if name in existing:
            continue
        described = fr not in UNDESCRIBED
        library.store_bytes(
            workspace,
            make_image(index, en, shape),
            name,
            user=camille,
            folder=folders[folder],
            tags=tags.split(","),
            alt_text_fr=(fr[0].upper() + fr[1:] + ", sous le nom Maison Lumière.")
            if described
            else "",
            alt_text_en=(en[0].upper() + en[1:] + ", above the name Maison Lumière.")
            if described
            else "",
        )
        added += 1
    context.notes.append(
        f"Media library: {len(SUBJECTS)} generated images in {len(folders)} folders ({added} new)"
    )


# Demo posts not yet out that get an image from the library (post title → image subject).
ON_POSTS = {
    "Atelier dégustation": "the tasting workshop",
    "Abonnement": "a gift box",
    "Idée : série origines": "sacks of green coffee",
}


@step(121)
def images_on_posts(context: DemoContext) -> None:
    """After the publishing demo (120): its draft posts show library images, and the library
    shows which posts use them."""
    from liant.publishing.models import Variant, VariantMedia  # noqa: PLC0415

    workspace = context.workspaces["maison-lumiere"]
    names = {en: filename(i, en, shape) for i, (_f, _fr, en, _t, shape) in enumerate(SUBJECTS)}
    for title, subject in ON_POSTS.items():
        item = MediaItem.objects.filter(workspace=workspace, name=names[subject]).first()
        for variant in Variant.objects.filter(post__workspace=workspace, post__title=title):
            if item is not None and not variant.media.exists():
                VariantMedia.objects.create(
                    variant=variant,
                    library_item=item,
                    content_type=item.content_type,
                    size=item.size,
                )
