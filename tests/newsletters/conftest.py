"""Newsletter fixtures: a list with subscribers, a campaign, and the workspace pointed at the
real aiosmtpd peer of the e-mail connector tests (reused, not copied)."""

from __future__ import annotations

from collections import Counter

import pytest

from liant.members.models import Member
from liant.newsletters.models import (
    Campaign,
    MailingList,
    SendingSettings,
    Subscriber,
    SubscriberState,
)
from tests.connectors.email.conftest import (  # noqa: F401 - fixtures used by the tests
    dovecot,
    mailbox,
    outbox,
    smtp_server,
)


def per_recipient(box) -> Counter:
    """How many messages each address received from the SMTP peer."""
    counts: Counter = Counter()
    for envelope in box.messages:
        for rcpt in envelope.rcpt_tos:
            counts[rcpt.lower()] += 1
    return counts


@pytest.fixture
def sending_settings(workspace, outbox) -> SendingSettings:  # noqa: F811
    settings = SendingSettings.of(workspace.pk)
    settings.smtp_host = "127.0.0.1"
    settings.smtp_port = outbox.port
    settings.smtp_security = "none"
    settings.per_minute = 100_000
    settings.bounce_address = "bounces@news.brand.example"
    settings.imap_host = "127.0.0.1"  # read by the bounce tests that need it; here it only
    settings.imap_security = "none"  # says that Liant reads this mailbox
    settings.save()
    return settings


@pytest.fixture
def mailing_list(workspace) -> MailingList:
    return MailingList.objects.create(workspace=workspace, name="La Gazette")


def subscribe(mailing_list: MailingList, count: int, language: str = "fr") -> list[Subscriber]:
    workspace = mailing_list.workspace
    members = Member.objects.bulk_create(
        Member(workspace=workspace, name=f"Person {i}", email=f"p{i}@people.example",
               language=language if i % 2 else "en")
        for i in range(count)
    )  # fmt: skip
    return Subscriber.objects.bulk_create(
        Subscriber(workspace=workspace, mailing_list=mailing_list, member=m, email=m.email,
                   state=SubscriberState.SUBSCRIBED)
        for m in members
    )  # fmt: skip


@pytest.fixture
def campaign(workspace, mailing_list) -> Campaign:
    return Campaign.objects.create(
        workspace=workspace,
        mailing_list=mailing_list,
        name="November",
        sender_name="Maison Test",
        sender_address="news@brand.example",
        subject_fr="Les nouveautés de novembre",
        preheader_fr="Un café de saison",
        body_fr="# Bonjour\n\nNotre **café de saison** est arrivé. [Le voir](https://brand.example/cafe)",
        subject_en="What's new in November",
        preheader_en="A seasonal coffee",
        body_en="# Hello\n\nOur **seasonal coffee** is here. [See it](https://brand.example/coffee)",
    )
