"""Demo inbox of Maison Lumière: departments, saved replies, routing rules, an SLA policy, and
conversations in French and English.

The e-mails (an after-sales complaint, a wholesale question, a product idea, a job
application, praise) are real mail in the demo mailbox (liant/demo/mailserver.py): the worker
fetches them within a minute and the rules below route them, as they would any mail. The
Mastodon account of the demo is not connected to a server, so what its members said there is
stored here as history, grouped by the same code that groups fetched events.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from django.utils import timezone

from liant.channels.models import Channel, Event
from liant.demo.loader import DemoContext, step
from liant.inbox import grouping, routing
from liant.inbox.models import (
    Conversation,
    Department,
    Direction,
    Label,
    Message,
    Note,
    Priority,
    RoutingRule,
    SavedReply,
    SendState,
    SlaPolicy,
    Status,
)

SAVED_REPLIES = [
    (
        "Accusé de réception SAV",
        "Bonjour {member_name},\n\nMerci pour votre message : notre service après-vente "
        "le regarde et revient vers vous aujourd'hui.\n\n{agent_name}, Maison Lumière",
        "Hello {member_name},\n\nThank you for your message: our after-sales team is looking "
        "into it and will get back to you today.\n\n{agent_name}, Maison Lumière",
    ),
    (
        "Remerciement",
        "Merci beaucoup {member_name}, ça nous touche ! À bientôt sur {channel}.\n\n{agent_name}",
        "Thank you so much {member_name}, this means a lot! See you soon on {channel}.\n\n"
        "{agent_name}",
    ),
    (
        "Tarifs professionnels",
        "Bonjour {member_name},\n\nNotre équipe commerciale vous envoie la grille "
        "professionnelle sous 24 h.\n\n{agent_name}",
        "Hello {member_name},\n\nOur sales team will send you our wholesale price list "
        "within 24 hours.\n\n{agent_name}",
    ),
]

# (name, e-mail, member usernames)
DEPARTMENTS = [
    ("Service après-vente", "sav@maison-lumiere.example", ["malik"]),
    ("Ventes", "ventes@maison-lumiere.example", ["ines"]),
    ("Ressources humaines", "rh@maison-lumiere.example", []),
    ("Produit", "produit@maison-lumiere.example", ["paul"]),
]

# Mastodon history: (minutes ago, kind, remote id, thread, author, name, text)
MASTODON = [
    (
        2 * 24 * 60,
        "comment",
        "m-101",
        "post-guji",
        "jordan@brews.example",
        "Jordan",
        "Le Guji est dispo en 1 kg ? On voudrait le servir au bar le week-end prochain.",
    ),
    (
        2 * 24 * 60 - 30,
        "comment",
        "m-102",
        "post-guji",
        "claire@piaille.example",
        "Claire R.",
        "Goûté hier en boutique, une merveille ! Merci pour l'accueil 🙏",
    ),
    (
        26 * 60,
        "direct_message",
        "m-201",
        "",
        "marc@social.example",
        "Marc D.",
        "Bonjour, mon moulin acheté chez vous fait un bruit bizarre depuis une semaine, "
        "c'est vraiment décevant pour le prix. Je peux le faire réparer ?",
    ),
    (
        5 * 60,
        "mention",
        "m-301",
        "m-301",
        "sam@fosstodon.example",
        "Sam",
        "@maisonlumiere idea: a monthly subscription box with two origins and tasting notes? "
        "I'd sign up right away.",
    ),
    (
        40,
        "mention",
        "m-401",
        "m-401",
        "nina@mastodon.example",
        "Nina",
        "Just tried the new decaf from @maisonlumiere and honestly it's the best I've had. "
        "Great job!",
    ),
]


@step(130)
def inbox(context: DemoContext) -> None:
    workspace = context.workspaces["maison-lumiere"]
    users = context.users
    if SavedReply.objects.filter(workspace=workspace).exists():
        return  # loaded before: the demo is idempotent
    saved = {
        name: SavedReply.objects.create(workspace=workspace, name=name, text_fr=fr, text_en=en)
        for name, fr, en in SAVED_REPLIES
    }
    departments = {}
    for name, email, members in DEPARTMENTS:
        department = Department.objects.create(workspace=workspace, name=name, email=email)
        department.members.set([users[m] for m in members])
        departments[name] = department
    labels = {
        name: Label.objects.create(workspace=workspace, name=name)
        for name in ("Commande", "Idée", "Recrutement", "Compliment", "Pro")
    }
    SlaPolicy.objects.create(
        workspace=workspace,
        first_response_minutes=240,
        next_response_minutes=480,
        resolution_minutes=3 * 24 * 60,
        opens_at=time(9),
        closes_at=time(18),
        weekdays=[1, 2, 3, 4, 5, 6],  # the shop opens on Saturdays
        holidays=["2026-12-25", "2027-01-01"],
    )
    mail_channel = Channel.objects.filter(workspace=workspace, kind="email").first()
    rules: list[dict[str, Any]] = [
        {
            "name": "Accusé de réception des e-mails SAV",
            "channel": mail_channel,
            "keywords": "commande, colis, livraison, reçu, remboursement",
            "first_message_only": True,
            "auto_reply": saved["Accusé de réception SAV"],
        },
        {
            "name": "Commandes et produits défectueux → SAV",
            "keywords": "commande, colis, livraison, reçu, moulin, cassé, remboursement, order",
            "department": departments["Service après-vente"],
            "assign_to": users["malik"],
            "add_label": labels["Commande"],
            "set_priority": Priority.HIGH,
        },
        {
            "name": "Clients professionnels → Ventes",
            "keywords": "wholesale, tarif, prix pro, devis, 1 kg, bar, café-restaurant",
            "department": departments["Ventes"],
            "add_label": labels["Pro"],
        },
        {
            "name": "Candidatures → RH",
            "keywords": "candidature, CV, poste, job, barista",
            "department": departments["Ressources humaines"],
            "add_label": labels["Recrutement"],
            "stop": True,
        },
        {
            "name": "Idées → Produit",
            "keywords": "idée, idea, pourquoi ne pas, suggestion, subscription, abonnement",
            "department": departments["Produit"],
            "add_label": labels["Idée"],
        },
        {
            "name": "Compliments",
            "sentiment": "positive",
            "add_label": labels["Compliment"],
            "set_priority": Priority.LOW,
        },
    ]
    if mail_channel is None:
        rules = rules[1:]  # an auto-reply rule without its channel would answer everywhere
    for position, fields in enumerate(rules, start=1):
        RoutingRule.objects.create(workspace=workspace, position=position * 10, **fields)

    mastodon = Channel.objects.filter(workspace=workspace, kind="mastodon").first()
    if mastodon is None:
        return
    now = timezone.now()
    for minutes, kind, remote_id, thread, author, name, text in MASTODON:
        Event.objects.get_or_create(
            channel=mastodon,
            kind=kind,
            remote_id=remote_id,
            defaults={
                "workspace": workspace,
                "author_remote_id": author,
                "author_handle": "@" + author,
                "author_name": name,
                "text": text,
                "thread_remote_id": thread,
                "occurred_at": now - timedelta(minutes=minutes),
                "url": f"https://mastodon.example/@{author.split('@')[0]}/{remote_id}",
            },
        )
    routing.route_new(grouping.group_workspace(workspace.pk))

    # What the team already did: an answer sent in the Guji thread, a note, a closed thank-you.
    guji = Conversation.objects.get(workspace=workspace, key="thread:post-guji")
    first = guji.messages.order_by("occurred_at").first()
    Message.objects.create(
        workspace=workspace,
        conversation=guji,
        direction=Direction.OUT,
        author_name=users["camille"].get_full_name(),
        sent_by=users["camille"],
        in_reply_to=first,
        text="Oui Jordan, le Guji existe en 1 kg ! Je vous envoie les tarifs pros en message.",
        language="fr",
        occurred_at=now - timedelta(hours=40),
        state=SendState.SENT,
        remote_id="113482600000000201",
    )
    Conversation.objects.filter(pk=guji.pk).update(
        first_response_at=now - timedelta(hours=40), status=Status.PENDING
    )
    grinder = Conversation.objects.get(workspace=workspace, key="person:marc@social.example")
    Note.objects.create(
        conversation=grinder,
        author=users["camille"],
        text="@malik c'est le modèle C40 acheté en mars : encore sous garantie.",
    ).mentioned.add(users["malik"])
    Conversation.objects.filter(workspace=workspace, key="thread:m-401").update(
        status=Status.CLOSED, closed_at=now, awaiting_reply=False
    )
    context.notes.append(
        "Inbox: 4 conversations from Mastodon history; the demo mailbox's e-mails arrive "
        "with the first fetch and are routed by 6 rules"
    )
