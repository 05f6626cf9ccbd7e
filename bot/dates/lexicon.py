"""Word tables for the date resolver, per language.

All words are in the resolver's normalised form: lower case, accents removed, hyphens and
apostrophes turned into spaces (so "après-demain" is "apres demain", "1º" is "1o").
"""

from __future__ import annotations

_FR_UNITS = ["", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]
_FR_TEENS = [
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "dix sept",
    "dix huit",
    "dix neuf",
]
_PT_UNITS = ["", "um", "dois", "tres", "quatro", "cinco", "seis", "sete", "oito", "nove"]
_PT_TEENS = [
    "dez",
    "onze",
    "doze",
    "treze",
    "catorze",
    "quinze",
    "dezesseis",
    "dezessete",
    "dezoito",
    "dezenove",
]


def _number_words(
    units: list[str], teens: list[str], tens: dict[int, str], and_one: str, and_other: str
) -> dict[str, int]:
    """1 to 31 in words; `and_one` joins a ten and 1 ("vingt et un"), `and_other` the rest ("vingt deux")."""
    words: dict[str, int] = {}
    for n in range(1, 10):
        words[units[n]] = n
    for n in range(10):
        words[teens[n]] = 10 + n
    for base, word in tens.items():
        words[word] = base
        for n in range(1, min(10, 32 - base)):
            words[f"{word}{and_one if n == 1 else and_other}{units[n]}"] = base + n
    return words


NUMBER_WORDS: dict[str, dict[str, int]] = {
    "fr": _number_words(_FR_UNITS, _FR_TEENS, {20: "vingt", 30: "trente"}, " et ", " "),
    "pt": _number_words(_PT_UNITS, _PT_TEENS, {20: "vinte", 30: "trinta"}, " e ", " e "),
}
NUMBER_WORDS["fr"].update({"une": 1, "premier": 1, "premiere": 1})
NUMBER_WORDS["pt"].update(
    {
        "uma": 1,
        "duas": 2,
        "primeiro": 1,
        "quatorze": 14,
        "dezasseis": 16,
        "dezassete": 17,
        "dezanove": 19,
    }
)
# Words that name a day of the month ("le quinze", "dia vinte", "le premier"): not "un"/"um".
DAY_WORDS: dict[str, dict[str, int]] = {
    lang: {w: n for w, n in words.items() if w not in {"un", "une", "um", "uma", "duas", "premiere"}}
    for lang, words in NUMBER_WORDS.items()
}
# Ordinal words for a day of the month: "le troisième jour d'octobre", "o quinto dia de maio".
# Kept apart from DAY_WORDS: "le deuxième" alone is rarely a date ("le deuxième prélèvement").
ORDINAL_DAY_WORDS: dict[str, dict[str, int]] = {
    "fr": {
        "premier": 1, "premiere": 1, "deuxieme": 2, "second": 2, "seconde": 2, "troisieme": 3,
        "quatrieme": 4, "cinquieme": 5, "sixieme": 6, "septieme": 7, "huitieme": 8, "neuvieme": 9,
        "dixieme": 10,
    },
    "pt": {
        "primeiro": 1, "segundo": 2, "terceiro": 3, "quarto": 4, "quinto": 5, "sexto": 6,
        "setimo": 7, "oitavo": 8, "nono": 9, "decimo": 10,
    },
}  # fmt: skip
# "dans quinze jours" / "dans huit jours" mean two weeks / one week in French.
FR_IDIOMATIC_DAYS = {8: 7, 15: 14}

# "segunda", "terça", "quarta"... are also ordinals: "segunda via" (a duplicate invoice or boleto),
# "quarta parcela". Before such a noun they are not a weekday: the resolver blanks these phrases.
PT_ORDINAL_NOUNS = (
    r"(?:vias?|parcelas?|faturas?|vez|vezes|cobrancas?|contas?|mensalidades?|prestacao|prestacoes|notas?"
    r"|opcao|tentativas?|semanas?|quinzenas?|linhas?|paginas?|boletos?|etapas?|pessoas?|taxas?)"
)
WEEKDAY_RE = {
    "fr": r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|(?:lun|mar|mer|jeu|ven|sam|dim)\.)",
    "pt": (
        r"(?:(?:segunda|terca|quarta|quinta|sexta)(?: ?feira)?|[2-6] ?[ao]?\.? ?feira|sabado|domingo"
        r"|(?:seg|ter|qua|qui|sex|sab|dom)\.)"
    ),
}
MONTH_RE = {
    "fr": (
        r"(?:janvier|janv\.?|fevrier|fevr?\.?|mars|avril|avr\.?|mai|juin|juillet|juil\.?|aout"
        r"|septembre|sept\.?|octobre|oct\.?|novembre|nov\.?|decembre|dec\.?)"
    ),
    "pt": (
        r"(?:janeiro|jan\.?|fevereiro|fev\.?|marco|mar\.?|abril|abr\.?|maio|mai\.?|junho|jun\.?|julho|jul\.?"
        r"|agosto|ago\.?|setembro|set\.?|outubro|out\.?|novembro|nov\.?|dezembro|dez\.?)"
    ),
}
# Undotted weekday abbreviations, common in Brazilian chat ("na seg", "até sex"); "ter" is also the
# verb "to have", so the rules only take it after "na"/"até".
PT_WEEKDAY_ABBREVIATIONS = r"(?:seg|ter|qua|qui|sex|sab|dom)"
_MONTH_PREFIXES = {
    "fr": {
        "jan": 1, "fev": 2, "mar": 3, "avr": 4, "mai": 5, "juin": 6, "juil": 7,
        "aou": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    },
    "pt": {
        "jan": 1, "fev": 2, "mar": 3, "abr": 4, "mai": 5, "jun": 6, "jul": 7,
        "ago": 8, "set": 9, "out": 10, "nov": 11, "dez": 12,
    },
}  # fmt: skip
_WEEKDAY_PREFIXES = {
    "fr": {"lun": 0, "mar": 1, "mer": 2, "jeu": 3, "ven": 4, "sam": 5, "dim": 6},
    "pt": {"seg": 0, "ter": 1, "qua": 2, "qui": 3, "sex": 4, "sab": 5, "dom": 6},
}


def month_number(word: str, language: str) -> int | None:
    """1-12 for a month name or abbreviation matched by MONTH_RE."""
    for prefix, number in _MONTH_PREFIXES[language].items():
        if word.startswith(prefix):
            return number
    return None


def weekday_number(word: str, language: str) -> int | None:
    """0 (Monday) to 6 (Sunday) for a weekday matched by WEEKDAY_RE."""
    if word[:1].isdigit():  # "2a feira" is Monday, "6a feira" Friday
        return int(word[0]) - 2
    return _WEEKDAY_PREFIXES[language].get(word[:3])


# Relative day words: offset from today.
RELATIVE_DAYS: dict[str, dict[str, int]] = {
    "fr": {
        "aujourd ?hui": 0,
        "ce jour": 0,
        "ce (?:soir|matin)": 0,
        "cet apres ?midi": 0,
        "cette nuit": 0,
        "hier": -1,
        "avant ?hier": -2,
        "demain": 1,
        "apres ?demain": 2,
        "(?:le )?lendemain": 1,
        "la veille": -1,
        "(?:le )?jour (?:d avant|precedent)": -1,
        "(?:le )?jour (?:d apres|suivant)": 1,
        "(?:dans|sous|d ici) (?:une )?huitaine(?: de jours)?": 7,  # "à régler sous huitaine"
        "(?:dans|sous|d ici) (?:une )?quinzaine(?: de jours)?": 14,
        "(?:dans )?la journee(?! (?:de|du|d)(?!\\w))": 0,  # not "la journée de la Toussaint"
        "en ce moment": 0,
        "maintenant": 0,
    },
    "pt": {
        "hoje": 0,
        "est[ae] (?:noite|manha|tarde)": 0,
        "ontem": -1,
        "anteontem": -2,
        "antes de ontem": -2,
        "amanha": 1,
        "depois de ?amanha": 2,
        "depois d amanha": 2,
        "(?:n?o )?dia seguinte": 1,
        "(?:n?o )?proximo dia": 1,
        "(?:n?o )?dia anterior": -1,
        "n?es[st]e momento": 0,
        "agora": 0,
        "(?:daqui(?: a)?|dentro de|em) (?:uma )?quinzena": 15,
    },
}

# Fixed-date holidays (month, day).
HOLIDAYS: dict[str, dict[str, tuple[int, int]]] = {
    "fr": {
        "noel": (12, 25),
        "jour de l ?an": (1, 1),
        "nouvel an": (1, 1),
        "saint sylvestre": (12, 31),
        "toussaint": (11, 1),
        "fete du travail": (5, 1),
        "fete nationale": (7, 14),
        "armistice": (11, 11),
        "assomption": (8, 15),
        "saint valentin": (2, 14),
    },
    "pt": {
        "natal": (12, 25),
        "vespera de natal": (12, 24),
        "ano novo": (1, 1),
        "reveillon": (12, 31),
        "dia de finados": (11, 2),
        "finados": (11, 2),
        "tiradentes": (4, 21),
        "dia do trabalho(?:dor)?": (5, 1),
        "dia das criancas": (10, 12),
        "dia dos namorados": (6, 12),
    },
}

# Units for "dans 3 jours" / "daqui a 3 dias" (group "unit"; unit_kind tells which).
UNITS: dict[str, str] = {
    "fr": r"(?P<unit>jours?|semaines?|mois|ans?|annees?)",
    "pt": r"(?P<unit>dias?|semanas?|mes|meses|anos?)",
}


def unit_kind(word: str) -> str:
    """ "day", "week", "month" or "year" for a word matched by UNITS."""
    if word.startswith(("jour", "dia")):
        return "day"
    if word.startswith("sem"):
        return "week"
    if word.startswith(("mois", "mes")):
        return "month"
    return "year"


# Words that point forwards / backwards after or before a unit or weekday.
PT_NEXT = r"(?:proxim[ao]|prox\.?)"  # "próxima sexta", "prox. semana"
NEXT_RE = {
    "fr": r"(?:prochaine?|pro|suivante?|qui vient|d apres)",  # chat: "la semaine pro"
    "pt": r"(?:q(?:ue)? vem|proxim[ao]|prox\.?|seguinte)",  # chat: "mês q vem", "prox semana"
}
PREV_RE = {
    "fr": r"(?:derniere?|passee?|precedente?|d avant)",
    "pt": r"(?:passad[ao]|ultim[ao]|anterior)",
}
THIS_RE = {
    "fr": r"(?:ce|cette|cet|en cours|courante?)",
    "pt": r"(?:est[ea]|nest[ea]|atual|corrente)",
}

# "le premier vendredi de juillet" / "a primeira sexta do mês": ordinal → n (-1 = last).
NTH_RE = {
    "fr": (
        r"(?P<nth>premiere?|1ere?|1re|deuxieme|2e|2eme|second|troisieme|3e|3eme"
        r"|quatrieme|4e|4eme|derniere?)"
    ),
    "pt": r"(?P<nth>primeir[ao]|1[ao]|segund[ao]|2[ao]|terceir[ao]|3[ao]|quart[ao]|4[ao]|ultim[ao])",
}


_NTH_PREFIXES = (("prem", "prim"), ("deux", "sec", "segu"), ("troi", "terc"), ("quat", "quar"))


def nth_number(word: str) -> int:
    """1-4 for an ordinal matched by NTH_RE, -1 for "dernier"/"último"."""
    if word.startswith(("dern", "ulti")):
        return -1
    if word[0].isdigit():
        return int(word[0])
    return next(n for n, prefixes in enumerate(_NTH_PREFIXES, start=1) if word.startswith(prefixes))
