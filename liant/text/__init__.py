"""Text analysis for French and English social posts, in pure Python (no Django here).

from liant.text import analyse
for r in analyse(["Pas terrible ce café…", "Love the new roast!"]):
    r.language, r.language_confidence, r.sentiment, r.sentiment_score
"""

from liant.text.analysis import Analysis, analyse
from liant.text.normalise import extract, fold, matching_form
from liant.text.tokens import tokenise, words

__all__ = ["Analysis", "analyse", "extract", "fold", "matching_form", "tokenise", "words"]
