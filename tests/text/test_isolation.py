"""liant.text is pure Python: it must import without Django."""

from __future__ import annotations

import subprocess
import sys


def test_liant_text_imports_no_django():
    code = (
        "import sys\n"
        "import liant.text, liant.text.duplicates, liant.text.keywords, liant.text.evaluate\n"
        "import liant.text.evaluate_moderation, liant.text.toxicity, liant.text.spam\n"
        "list(liant.text.analyse(['Pas terrible ce café', 'Love it, you idiot']))\n"
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')], "
        "sorted(m for m in sys.modules if m.startswith('django'))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
