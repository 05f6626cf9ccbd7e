"""Numbered options on WhatsApp: how they are written, and how the customer's answer is read back."""

from __future__ import annotations

import pytest

from bot.channels.messages import Button
from bot.channels.whatsapp_choices import chosen_option, message_parts, numbered_list

PLANS = [
    Button("Rester en Basic", "/keep_plan"),
    Button("Passer au Premium", '/change_plan{"plan": "premium"}'),
    Button("Parler à un conseiller", "/request_human"),
]
RATING = [Button(str(score), f'/inform{{"choice": "{score}"}}') for score in range(1, 6)]


def test_the_options_are_numbered_lines() -> None:
    assert numbered_list(PLANS) == "1. Rester en Basic\n2. Passer au Premium\n3. Parler à un conseiller"
    assert numbered_list([Button("  Deux\nlignes ", "/x")]) == "1. Deux lignes"


def test_the_options_end_the_last_part_after_a_blank_line() -> None:
    assert message_parts("Votre choix ?", PLANS, 1600) == [f"Votre choix ?\n\n{numbered_list(PLANS)}"]
    assert message_parts("", PLANS, 1600) == [numbered_list(PLANS)]
    assert message_parts("Sans options.", [], 1600) == ["Sans options."]


def test_options_that_do_not_fit_in_the_last_part_get_a_part_of_their_own() -> None:
    text = "x" * 1590
    parts = message_parts(text, PLANS, 1600)
    assert parts == [text, numbered_list(PLANS)]
    long_text = ("mot " * 500).strip()  # 1999 characters: two parts, the list after the second
    parts = message_parts(long_text, PLANS, 1600)
    assert len(parts) == 2 and parts[-1].endswith(numbered_list(PLANS))
    assert all(len(part) <= 1600 for part in parts)


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("1", 0),
        ("2", 1),
        (" 2 ", 1),
        ("2.", 1),
        ("2)", 1),
        ("n°2", 1),
        ("nº 2", 1),
        ("N° 3", 2),
        ("option 2", 1),
        ("Opção 3", 2),
        ("#1", 0),
        ("3️⃣", 2),
    ],
)
def test_a_number_picks_its_option(text: str, index: int) -> None:
    assert chosen_option(text, PLANS) == PLANS[index]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("Passer au Premium", 1),
        ("passer au premium", 1),
        ("PASSER AU PRÉMIUM !", 1),
        ("premium", 1),
        ("Premium.", 1),
        ("parler a un conseiller", 2),
        ("conseiller", 2),
        ("basic", 0),
    ],
)
def test_the_words_of_an_option_pick_it(text: str, index: int) -> None:
    assert chosen_option(text, PLANS) == PLANS[index]


@pytest.mark.parametrize(
    "text",
    [
        "4",  # no such option
        "0",
        "12",
        "au",  # too short to name an option
        "le premium",  # words that are not the title's, one after the other
        "je veux passer au premium",  # more than the title: the NLU reads it
        "premium ou basic",
        "",
        "   ",
        "!!!",
        "2 euros",
    ],
)
def test_anything_else_is_not_a_choice(text: str) -> None:
    assert chosen_option(text, PLANS) is None


def test_words_in_several_titles_pick_none() -> None:
    options = [Button("Payer par Pix", "/pay_pix"), Button("Payer par carte", "/pay_card")]
    assert chosen_option("payer", options) is None
    assert chosen_option("pix", options) == options[0]


def test_numeric_titles_are_their_own_number() -> None:
    assert chosen_option("4", RATING) == RATING[3]
    assert chosen_option("6", RATING) is None
    assert chosen_option("1", []) is None
