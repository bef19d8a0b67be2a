import pytest
from django.db import connection
from django.test import override_settings

from liant.core import crypto
from tests.testapp.models import Secretive

CLEAR = "mastodon-token-s3cr3t-value"


def raw_column(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM testapp_secretive WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_database_column_never_holds_the_clear_text():
    obj = Secretive.objects.create(label="x", token=CLEAR)
    stored = raw_column(obj.pk)
    assert CLEAR not in stored
    assert stored.startswith("fernet:")
    assert Secretive.objects.get(pk=obj.pk).token == CLEAR


@pytest.mark.django_db
def test_the_same_secret_is_stored_differently_each_time():
    a = Secretive.objects.create(label="a", token=CLEAR)
    b = Secretive.objects.create(label="b", token=CLEAR)
    assert raw_column(a.pk) != raw_column(b.pk)


@pytest.mark.django_db
def test_an_empty_secret_stays_empty():
    obj = Secretive.objects.create(label="x", token="")
    assert raw_column(obj.pk) == ""
    assert Secretive.objects.get(pk=obj.pk).token == ""


@pytest.mark.django_db
def test_a_rotated_key_still_reads_secrets_written_with_the_old_one():
    obj = Secretive.objects.create(label="x", token=CLEAR)
    with override_settings(
        SECRET_KEY="a-brand-new-key", SECRET_KEY_FALLBACKS=[crypto.settings.SECRET_KEY]
    ):
        assert Secretive.objects.get(pk=obj.pk).token == CLEAR


@pytest.mark.django_db
def test_a_lost_key_gives_a_clear_error_not_garbage():
    obj = Secretive.objects.create(label="x", token=CLEAR)
    with (
        override_settings(SECRET_KEY="another-key", SECRET_KEY_FALLBACKS=[]),
        pytest.raises(crypto.DecryptionError, match="LIANT_SECRET_KEY"),
    ):
        Secretive.objects.get(pk=obj.pk)


@pytest.mark.django_db
def test_secrets_cannot_be_searched_by_content():
    Secretive.objects.create(label="x", token=CLEAR)
    with pytest.raises(Exception):  # noqa: B017 - Django raises FieldError for a missing lookup
        list(Secretive.objects.filter(token__contains="s3cr3t"))
