"""The French catalogue is complete: every string a person can see has a translation.

The test extracts the strings from the code and templates as `makemessages` does, in a copy
of the tree, so a string added anywhere without its French translation fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    if not shutil.which("xgettext"):
        pytest.fail("xgettext is missing: `make system-deps` installs gettext")
    copy = tmp_path_factory.mktemp("i18n")
    ignore = shutil.ignore_patterns("__pycache__", "*.mo")
    for name in ("liant", "templates", "locale"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "liant.settings",
        "LIANT_VAR_DIR": str(copy / "var"),
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "liant.cli",
            "makemessages",
            "-l",
            "fr",
            "-l",
            "en",
            "--no-obsolete",
            "-v0",
        ],
        cwd=copy,
        env=env,
        check=True,
    )
    return copy / "locale"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_string_in_the_code_has_a_translation(extracted, language):
    catalogue = polib.pofile(str(extracted / language / "LC_MESSAGES" / "django.po"))
    missing = [
        e.msgid
        for e in catalogue
        if not e.obsolete
        and (
            "fuzzy" in e.flags
            # A singular entry has no plural forms: an empty msgstr is missing, whatever
            # all() says of an empty dict.
            or not (e.msgstr or (e.msgstr_plural and all(e.msgstr_plural.values())))
        )
    ]
    assert missing == [], f"{len(missing)} strings lack a {language} translation: {missing[:15]}"


def test_the_committed_catalogue_is_the_extracted_one(extracted):
    committed = {
        e.msgid
        for e in polib.pofile(str(ROOT / "locale/fr/LC_MESSAGES/django.po"))
        if not e.obsolete
    }
    fresh = {
        e.msgid for e in polib.pofile(str(extracted / "fr/LC_MESSAGES/django.po")) if not e.obsolete
    }
    assert fresh - committed == set(), "run makemessages: new strings are not in the catalogue"


def test_the_compiled_french_catalogue_is_used():
    with translation.override("fr"):
        assert translation.gettext("Sign out") == "Se déconnecter"
