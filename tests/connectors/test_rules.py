from liant.connectors.base import Rules, count_graphemes, count_with_urls_as

MASTODON = Rules(
    max_length=500,
    count=count_with_urls_as(23),
    max_media=4,
    media_types=frozenset({"image/png", "image/jpeg"}),
    max_image_bytes=16_000_000,
)
BLUESKY = Rules(max_length=300, count=count_graphemes, count_label="graphemes")


def test_mastodon_counts_any_url_as_23_characters():
    long_url = "https://maison-lumiere.example/blog/2026/11/nouvelle-torrefaction-ethiopie?utm_source=mastodon"
    assert MASTODON.count(f"Nouveau café ! {long_url}") == len("Nouveau café ! ") + 23


def test_bluesky_counts_graphemes_not_code_points():
    family = "👨‍👩‍👧‍👦"  # seven code points, one grapheme
    assert len(family) == 7
    assert count_graphemes(family) == 1
    assert count_graphemes("café") == count_graphemes("cafe\u0301") == 4


def test_the_remaining_count_goes_negative_when_too_long():
    assert BLUESKY.remaining("a" * 301) == -1
    assert BLUESKY.check("a" * 301) == ["1 grapheme too long"]
    assert BLUESKY.check("a" * 302) == ["2 graphemes too long"]


def test_media_are_checked_by_count_type_and_size():
    problems = MASTODON.check(
        "hi", [("image/png", 1000)] * 5 + [("image/gif", 10), ("image/jpeg", 20_000_000)]
    )
    assert "at most 4 media" in problems
    assert "image/gif is not accepted" in problems
    assert any("larger than 16 MB" in p for p in problems)


def test_a_valid_variant_has_no_problem():
    assert MASTODON.check("Bonjour", [("image/png", 1000)]) == []
