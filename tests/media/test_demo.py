"""The demo library: generated images, described, in folders (loading twice adds nothing:
tests/core/test_cli.py checks every model at once)."""

from __future__ import annotations

import pytest

from liant.media.models import Folder, MediaItem
from liant.publishing.models import VariantMedia

pytestmark = pytest.mark.django_db


def test_the_demo_library_is_generated_and_used_by_posts(loaded_demo):
    items = MediaItem.objects.filter(workspace__slug="maison-lumiere")
    assert items.count() >= 30
    assert Folder.objects.filter(workspace__slug="maison-lumiere").count() >= 5
    described = items.exclude(alt_text_fr="").exclude(alt_text_en="")
    assert described.count() == items.count() - 2
    assert all(item.tags for item in items)
    assert VariantMedia.objects.filter(library_item__in=items).exists()
    assert "Maison" in items.first().alt_text_fr
