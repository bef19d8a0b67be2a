"""The library on an S3-compatible store: moto's server, a process of its own on a free port,
reached over HTTP by django-storages and boto3 as any S3 store would be, configured from the
same LIANT_S3_* variables as production (liant/env.py: media_storage)."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Any

import boto3
import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from PIL import Image
from storages.backends.s3 import S3Storage

from liant.channels.models import Channel
from liant.env import media_storage
from liant.media import addresses, library, tasks
from liant.media.models import MediaItem, MediaSettings
from liant.publishing import publisher
from liant.publishing.models import VariantMedia
from liant.publishing.states import State
from tests.media.conftest import jpeg, noise, png
from tests.publishing.conftest import scheduled_variant
from tests.publishing.fakes import ScriptedPublisher

pytestmark = pytest.mark.django_db

REGION = "eu-west-3"
PREFIX = "liant-media"


@dataclass
class Bucket:
    client: Any
    name: str

    def keys(self) -> list[str]:
        answer = self.client.list_objects_v2(Bucket=self.name)
        return sorted(entry["Key"] for entry in answer.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def bucket(settings, s3_server, monkeypatch) -> Bucket:
    name = f"liant-{uuid.uuid4().hex[:12]}"
    for variable, value in {
        "LIANT_S3_BUCKET": name,
        "LIANT_S3_ENDPOINT_URL": s3_server.url,
        "LIANT_S3_REGION": REGION,
        "LIANT_S3_ACCESS_KEY_ID": "liant-test-key",
        "LIANT_S3_SECRET_ACCESS_KEY": "liant-test-secret",
        "LIANT_S3_PREFIX": f"/{PREFIX}/",
    }.items():
        monkeypatch.setenv(variable, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.url,
        region_name=REGION,
        aws_access_key_id="liant-test-key",
        aws_secret_access_key="liant-test-secret",
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {**settings.STORAGES, "default": media_storage(600)}
    return Bucket(client, name)


def url(workspace, rest: str = "") -> str:
    return f"/w/{workspace.slug}/media/{rest}"


def test_without_a_bucket_the_files_stay_on_the_local_disk(monkeypatch):
    monkeypatch.delenv("LIANT_S3_BUCKET", raising=False)
    assert media_storage(3600) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_an_upload_its_renditions_reading_and_deletion_go_through_the_bucket(
    bucket, owner_client, outsider_client, workspace, owner, django_capture_on_commit_callbacks
):
    original = png((900, 600))
    response = owner_client.post(
        url(workspace, "upload/"), {"images": [SimpleUploadedFile("vitrine.png", original)]}
    )
    assert response.status_code == 302
    item = MediaItem.objects.get(workspace=workspace)
    assert isinstance(item.file.storage, S3Storage)
    # The file and its thumbnail are objects of the bucket, under the configured prefix.
    assert bucket.keys() == sorted(f"{PREFIX}/{n}" for n in (item.file.name, item.thumbnail.name))
    assert bucket.read(f"{PREFIX}/{item.file.name}") == original

    # The worker's renditions are written to the bucket too.
    Channel.objects.create(workspace=workspace, kind="bluesky", name="Bsky", created_by=owner)
    tasks.make_renditions.call_local(item.pk)
    made = item.renditions.get()
    assert f"{PREFIX}/{made.file.name}" in set(bucket.keys())
    rendered = Image.open(io.BytesIO(bucket.read(f"{PREFIX}/{made.file.name}")))
    assert rendered.size == (made.width, made.height)

    # Read back through Liant's views (a public workspace: plain addresses).
    served = owner_client.get(url(workspace, f"{item.pk}/file/"))
    assert served.status_code == 200 and b"".join(served.streaming_content) == original
    served = owner_client.get(url(workspace, f"renditions/{made.pk}/"))
    assert b"".join(served.streaming_content) == bucket.read(f"{PREFIX}/{made.file.name}")
    assert outsider_client.get(url(workspace, f"{item.pk}/file/")).status_code == 404

    # Deleted: every object goes once the deletion is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url(workspace, f"{item.pk}/delete/"))
    assert response.status_code == 302
    assert not MediaItem.objects.exists()
    assert bucket.keys() == []


def test_the_publisher_reads_the_rendition_from_the_bucket(bucket, imaging_channel, workspace):
    item = library.store_bytes(workspace, noise((1600, 1200)), "grain.jpg").item
    variant = scheduled_variant(imaging_channel, "Photo")
    VariantMedia.objects.create(
        variant=variant, library_item=item, content_type=item.content_type, size=item.size
    )
    assert publisher.publish_variant(variant.pk).state == State.PUBLISHED
    (sent,) = ScriptedPublisher.drafts[0].media
    made = item.renditions.get()
    assert sent.data == bucket.read(f"{PREFIX}/{made.file.name}")
    assert len(sent.data) <= 300_000


def test_a_failed_save_leaves_nothing_in_the_bucket(bucket, workspace, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(MediaItem, "save", refuse)
    with pytest.raises(DatabaseError):
        library.store_bytes(workspace, jpeg(), "a.jpg")
    assert bucket.keys() == []


def test_a_failed_second_write_removes_the_first_from_the_bucket(bucket, workspace, monkeypatch):
    real = S3Storage._save

    def thumbnail_fails(self, name, content):
        if name.endswith(".webp"):
            raise OSError("connection reset by the store")
        return real(self, name, content)

    monkeypatch.setattr(S3Storage, "_save", thumbnail_fails)
    with pytest.raises(OSError):
        library.store_upload(workspace, SimpleUploadedFile("a.jpg", jpeg()))
    assert bucket.keys() == []
    assert not MediaItem.objects.exists()


def test_a_private_workspace_gets_presigned_addresses_that_expire(
    bucket, owner_client, workspace, s3_server, settings
):
    """The expiry is in the signed query (X-Amz-Expires): the store refuses it afterwards.
    moto's server does not check expiries or signatures, so that refusal is the store's
    own, not tested here; what Liant asks for is."""
    settings.LIANT_MEDIA_URL_SECONDS = 600
    item = library.store_bytes(workspace, png(), "logo.png").item
    assert addresses.address(workspace, "file", item) == url(workspace, f"{item.pk}/file/")
    MediaSettings.objects.create(workspace=workspace, private=True)

    address = addresses.address(workspace, "file", item)
    assert address.startswith(f"{s3_server.url}/{bucket.name}/{PREFIX}/library/")
    query = httpx.URL(address).params
    assert query["X-Amz-Expires"] == "600" and query["X-Amz-Signature"]
    assert query["response-content-type"] == "image/png"
    answer = httpx.get(address)
    assert answer.status_code == 200 and answer.content == item.file.open("rb").read()
    assert answer.headers["content-type"] == "image/png"

    # The library's pages give the presigned address; the plain one sends there.
    page = owner_client.get(url(workspace)).content.decode()
    assert f"{s3_server.url}/{bucket.name}/" in page and f"/media/{item.pk}/thumbnail/" not in page
    redirected = owner_client.get(url(workspace, f"{item.pk}/file/"))
    assert redirected.status_code == 302
    assert redirected["Location"].startswith(f"{s3_server.url}/{bucket.name}/")
