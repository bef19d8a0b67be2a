"""CSV import of members: row by row, updating what is known, refusing what is wrong."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from liant.core.models import AuditEvent
from liant.members import importing
from liant.members.attach import attach_workspace
from liant.members.models import Activity, Consent, Identity, Member
from tests.conftest import client_for, make_user
from tests.members.factories import channel, event

HEADER = "name;email;handle;network;language;country;tags;newsletter;consent_text;consent_date"


def run(workspace, text: str, name: str = "members.csv", encoding: str = "utf-8"):
    return importing.import_csv(workspace, name, text.encode(encoding))


def upload(client, workspace, text: str | bytes, name: str = "members.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        f"/w/{workspace.slug}/members/import/",
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def test_good_rows_are_imported_and_bad_ones_refused_with_line_and_reason(workspace):
    text = "\n".join(
        [
            HEADER + ";field:city",
            'Camille Martin;camille@example.org;@camille@piaille.example;mastodon;fr;fr;"a;b";'
            "oui;J'accepte la lettre;2026-01-15;Paris",
            "Bad Mail;not-an-address;;;;;;;;;",
            "Nowhere;;someone;myspace;;;;;;;",
            ";;;;fr;FR;;;;;",
            "Late;late@example.org;;;;;;yes;;31/13/2026;",
            "Léa;lea@example.org;;;en;;;;;;",
        ]
    )

    report = run(workspace, text, name="salon.csv")

    assert report.delimiter == ";"
    assert [(r.line, r.outcome) for r in report.rows] == [
        (2, "imported"),
        (3, "refused"),
        (4, "refused"),
        (5, "refused"),
        (6, "refused"),
        (7, "imported"),
    ]
    assert "e-mail" in report.rows[1].reasons[0]
    assert "myspace" in report.rows[2].reasons[0]
    assert "consent_date" in report.rows[4].reasons[0]
    camille = Member.objects.get(email="camille@example.org")
    assert (camille.name, camille.language, camille.country) == ("Camille Martin", "fr", "FR")
    assert sorted(t.name for t in camille.tags.all()) == ["a", "b"]
    assert camille.custom_fields == {"city": "Paris"}
    consent = Consent.objects.get(member=camille)
    assert consent.granted and consent.source == "import salon.csv"
    assert (
        consent.text == "J'accepte la lettre"
        and str(consent.at.astimezone(ZoneInfo("Europe/Paris")).date()) == "2026-01-15"
    )
    assert not Member.objects.filter(name__in=["Bad Mail", "Nowhere", "Late"]).exists()


def test_a_later_event_from_the_imported_account_attaches_to_the_imported_member(workspace):
    mastodon = channel(workspace, "mastodon")  # instance piaille.example
    run(workspace, "name,handle,network\nCamille,@camille@piaille.example,mastodon\n")
    imported = Member.objects.get(name="Camille")

    event(mastodon, "camille", text="Bonjour !")  # author_url https://piaille.example/@camille
    attach_workspace(workspace.pk)

    assert Member.objects.count() == 1
    assert Activity.objects.get().member_id == imported.pk


def test_an_email_imported_is_an_account_for_the_email_channel_too(workspace):
    mail = channel(workspace, "email")
    run(workspace, "name,email\nLéa,Lea@Example.org\n")

    event(mail, "lea@example.org", kind="direct_message")
    attach_workspace(workspace.pk)

    assert Member.objects.count() == 1
    assert Activity.objects.get().member.name == "Léa"


def test_a_known_account_or_email_updates_the_member_instead_of_duplicating(workspace):
    bluesky = channel(workspace, "bluesky")
    seen = event(bluesky, "did:plc:abc", name="Sam")
    seen.author_handle = "sam.bsky.social"
    seen.save()
    attach_workspace(workspace.pk)
    sam = Member.objects.get()

    report = run(
        workspace,
        "name,handle,network,email,tags\n"
        "Samuel,sam.bsky.social,bluesky,sam@example.org,vip\n"
        "Sam again,,,SAM@example.org,\n",
    )

    assert [r.outcome for r in report.rows] == ["updated", "updated"]
    assert Member.objects.count() == 1
    sam.refresh_from_db()
    assert (sam.name, sam.email) == ("Sam again", "sam@example.org")
    assert Identity.objects.filter(member=sam, network="bluesky").count() == 1


def test_importing_the_same_file_twice_changes_nothing_the_second_time(workspace):
    text = "name,email,newsletter,consent_date\nAda,ada@example.org,yes,2026-02-01\n"
    run(workspace, text)
    second = run(workspace, text)

    assert [r.outcome for r in second.rows] == ["updated"]
    assert Member.objects.count() == 1
    assert Consent.objects.count() == 1


def test_the_handle_and_email_of_two_different_members_are_refused(workspace):
    run(workspace, "name,email\nA,a@example.org\n")
    run(workspace, "name,handle,network\nB,@b:matrix.example,matrix\n")

    report = run(workspace, "name,handle,network,email\nX,@b:matrix.example,matrix,a@example.org\n")

    assert report.rows[0].outcome == "refused"
    assert "merge" in report.rows[0].reasons[0]


def test_comma_files_with_a_bom_and_windows_encoding_are_read(workspace):
    utf8 = "\ufeffname,email\nZoë,zoe@example.org\n".encode()
    windows = "name;email\nHélène;helene@example.org\n".encode("cp1252")

    first = importing.import_csv(workspace, "a.csv", utf8)
    second = importing.import_csv(workspace, "b.csv", windows)

    assert (first.encoding, first.delimiter, first.imported) == ("utf-8-sig", ",", 1)
    assert (second.encoding, second.delimiter, second.imported) == ("cp1252", ";", 1)
    assert set(Member.objects.values_list("name", flat=True)) == {"Zoë", "Hélène"}


def test_a_bare_mastodon_name_needs_the_instance_when_it_is_ambiguous(workspace):
    report = run(workspace, "name,handle,network\nX,camille,mastodon\n")

    assert report.rows[0].outcome == "refused"
    assert "@name@instance" in report.rows[0].reasons[0]


def test_too_many_rows_is_a_clear_error_and_nothing_is_imported(workspace, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    text = "name\nA\nB\nC\n"

    try:
        run(workspace, text)
    except importing.FileRefused as refused:
        assert "3" in str(refused) and "2" in str(refused)
    else:
        raise AssertionError("three rows passed a limit of two")
    assert not Member.objects.exists()


def test_the_page_shows_the_report_row_by_row(owner_client, workspace):
    response = upload(owner_client, workspace, "name,email\nAda,ada@example.org\nBad,nope\n")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ada" in page and "nope" in page
    assert response.context["report"].summary() == {"imported": 1, "updated": 0, "refused": 1}
    assert AuditEvent.objects.get(action="members.imported").data["imported"] == 1


def test_a_file_too_large_or_without_columns_is_refused_on_the_page(owner_client, workspace):
    big = b"name\n" + b"x" * (importing.MAX_BYTES + 10)

    assert upload(owner_client, workspace, big).status_code == 400
    response = upload(owner_client, workspace, "foo,bar\n1,2\n")
    assert response.status_code == 400
    assert not Member.objects.exists()


def test_a_role_without_members_manage_gets_403_and_an_outsider_404(
    workspace, owner, outsider_client
):
    analyst = client_for(make_user("analyst@brand.example", workspace, "analyst"))

    assert analyst.get(f"/w/{workspace.slug}/members/import/").status_code == 403
    assert upload(analyst, workspace, "name\nA\n").status_code == 403
    assert upload(outsider_client, workspace, "name\nA\n").status_code == 404
    assert not Member.objects.exists()
