from __future__ import annotations

import pytest

from bot.handoff.passwords import MAX_LENGTH, hash_password, needs_rehash, verify_password


def test_hash_round_trip_and_wrong_password() -> None:
    stored = hash_password("a long enough secret")
    parts = stored.split("$")
    assert parts[:4] == ["scrypt", "16384", "8", "1"] and len(parts) == 6
    assert "a long enough secret" not in stored
    assert verify_password("a long enough secret", stored)
    assert not verify_password("a long enough secreT", stored)
    assert not verify_password("", stored)
    assert hash_password("a long enough secret") != stored  # a new salt each time
    assert not needs_rehash(stored)


def test_short_passwords_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 10"):
        hash_password("123456789")


def test_other_parameters_need_a_rehash_and_malformed_hashes_never_match() -> None:
    stored = hash_password("a long enough secret")
    weaker = stored.replace("$16384$", "$1024$", 1)
    assert needs_rehash(weaker)
    assert not verify_password("a long enough secret", weaker)  # same salt, other cost: another hash
    for broken in ("", "plain", "scrypt$abc$8$1$x$y", "bcrypt$16384$8$1$AAAA$AAAA", stored[:-8] + "!!!!!!!!"):
        assert not verify_password("a long enough secret", broken)
        assert needs_rehash(broken)


def test_a_longer_password_never_matches_though_it_starts_with_the_password() -> None:
    longest = "x" * MAX_LENGTH
    stored = hash_password(longest)
    assert verify_password(longest, stored)
    assert not verify_password(longest + "y", stored)
    with pytest.raises(ValueError, match="at most"):
        hash_password(longest + "y")
