"""``joined_words`` gives what Python's regex gives, character for character."""

from __future__ import annotations

import random
import re

from etl.transform.words import NUMPY_MIN_CHARS, joined_words, word_code_points

_PLANE = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000]


def by_regex(text: str) -> str:
    return " ".join(re.findall(r"\w+", text))


def test_every_character_of_the_plane_is_a_word_character_as_the_regex_says() -> None:
    table = word_code_points()
    assert [bool(table[ord(c)]) for c in _PLANE] == [bool(re.match(r"\w", c)) for c in _PLANE]
    text = "".join(_PLANE)  # every run of words and of other characters the plane holds
    assert joined_words(text) == by_regex(text)


def test_texts_of_words_spaces_marks_and_digits_join_as_the_regex_joins_them() -> None:
    rng = random.Random(15)
    alphabet = list("aZ_9 \n\t.,-'’«»ßİÄä\u0301\u00a0\u200b\u3000中文한국어١٢ⅫＡ①") + rng.sample(
        _PLANE, 200
    )
    for length in (0, 1, NUMPY_MIN_CHARS - 1, NUMPY_MIN_CHARS, 2000):
        for _ in range(50):
            text = "".join(rng.choice(alphabet) for _ in range(length))
            assert joined_words(text) == by_regex(text), text


def test_texts_beyond_the_plane_or_with_lone_surrogates_take_the_regex() -> None:
    long = "Wörter und Zahlen 42, " * 20
    for text in (long + "🙂 emoji_words", long + "\ud800 lone", "  " + long + "  "):
        assert joined_words(text) == by_regex(text)
