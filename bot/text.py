"""Text folding shared by the NLU components and the date resolver."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case without diacritics, compatibility forms spelled out: `Échéance` -> `echeance`,
    `não` -> `nao`, `1º` -> `1o`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
