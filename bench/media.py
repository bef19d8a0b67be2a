"""Media: how fast a 12-megapixel photo is checked on upload and made into each network's
rendition, and how much memory one rendition takes at its peak.

The photo is generated (a gradient with grain, 4000 × 3000, JPEG quality 92): grain keeps it
heavy like a real photo (several MB), where a flat picture would compress to nothing.
Peak memory is measured in a fresh Python process (its maximum resident size after the
rendition minus before it), since Pillow's pixel buffers are invisible to tracemalloc.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageFilter

from liant.connectors.bluesky.connector import BlueskyConnector
from liant.connectors.mastodon.connector import MastodonConnector
from liant.media import images

SIZE = (4000, 3000)
MAX_PIXELS = 60_000_000

# VmHWM (this process's own high-water mark), not getrusage's ru_maxrss: Linux keeps the
# latter across exec, so a child would start at its parent's peak.
CHILD = """
import sys

DATABASE = False  # reads no table: `liant bench` skips the migrations for it
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1])
from liant.media import images
from liant.connectors.{module}.connector import {connector}
data = open(sys.argv[1], "rb").read()
spec = images.Spec.of({connector}.rules)
before = peak()
images.rendition(data, "image/jpeg", spec, (0.5, 0.5), {max_pixels})
after = peak()
print((after - before) / 1024)
"""


def photo() -> bytes:
    base = Image.linear_gradient("L").resize(SIZE).convert("RGB")
    grain = Image.effect_noise(SIZE, 48).convert("RGB")
    image = Image.blend(base, grain, 0.35).filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def per_second(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm up
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return repeat / (time.perf_counter() - started)


def peak_mb(path: Path, module: str, connector: str) -> float:
    code = CHILD.format(module=module, connector=connector, max_pixels=MAX_PIXELS)
    answer = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    return float(answer.stdout.strip())


def run(report: Callable[..., None]) -> None:
    data = photo()
    note = f"one generated 12 MP JPEG ({len(data) / 1e6:.1f} MB), one core, in process"
    checked = images.check(data, "photo.jpg", max_bytes=10**9, max_pixels=MAX_PIXELS)
    report(
        "upload_check_rate",
        per_second(
            lambda: images.check(data, "photo.jpg", max_bytes=10**9, max_pixels=MAX_PIXELS), 5
        ),
        "photos/s",
        note + ": full decode to find truncation",
    )
    report(
        "thumbnail_rate",
        per_second(lambda: images.thumbnail(data, MAX_PIXELS), 10),
        "photos/s",
        "480 px WebP thumbnail of the same photo (JPEG draft decoding at reduced scale)",
    )
    del checked
    for label, connector in (("bluesky", BlueskyConnector), ("mastodon", MastodonConnector)):
        spec = images.Spec.of(connector.rules)
        made = images.rendition(data, "image/jpeg", spec, (0.5, 0.5), MAX_PIXELS)
        report(
            f"rendition_rate_{label}",
            per_second(
                lambda spec=spec: images.rendition(
                    data, "image/jpeg", spec, (0.5, 0.5), MAX_PIXELS
                ),
                3,
            ),
            "renditions/s",
            f"{label} rendition of the same photo: {made[2]}×{made[3]}, "
            f"{len(made[0]) / 1e6:.2f} MB",
        )
    with tempfile.NamedTemporaryFile(suffix=".jpg") as handle:
        handle.write(data)
        handle.flush()
        for label, module, connector in (
            ("bluesky", "bluesky", "BlueskyConnector"),
            ("mastodon", "mastodon", "MastodonConnector"),
        ):
            report(
                f"rendition_peak_memory_{label}",
                peak_mb(Path(handle.name), module, connector),
                "MB",
                f"growth of the maximum resident size during one {label} rendition, fresh process",
            )
