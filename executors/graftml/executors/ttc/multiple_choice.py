"""Four-option multiple-choice items, generated: the answer is the letter of the right option."""

from __future__ import annotations

import random

LETTERS = "ABCD"
_ODD_ONE_OUT = {
    "animals": ("dog", "cat", "horse", "lion", "tiger", "rabbit", "sheep", "mouse"),
    "colours": ("red", "blue", "green", "yellow", "purple", "orange", "pink", "brown"),
    "fruits": ("apple", "banana", "cherry", "grape", "lemon", "mango", "peach", "pear"),
    "tools": ("hammer", "saw", "wrench", "drill", "shovel", "chisel", "pliers", "rake"),
}


def multiple_choice_item(rng: random.Random) -> tuple[str, str, str]:
    """(question with lettered options, answer letter, solution) of one item."""
    kind = rng.choice(("sum", "largest", "sequence", "odd_one_out"))
    if kind == "sum":
        a, b = rng.randint(11, 60), rng.randint(2, 39)
        stem, right = f"What is {a} + {b}?", a + b
        wrong = _near(rng, right)
        return _lettered(rng, stem, str(right), [str(w) for w in wrong], f"{a} + {b} = {right}.")
    if kind == "largest":
        numbers = rng.sample(range(10, 100), 4)
        right = max(numbers)
        rest = [str(n) for n in numbers if n != right]
        return _lettered(rng, "Which number is the largest?", str(right), rest,
                         f"{right} is the largest.")
    if kind == "sequence":
        start, step = rng.randint(1, 20), rng.randint(2, 9)
        terms = [start + step * i for i in range(4)]
        right = start + step * 4
        stem = f"What number comes next: {', '.join(map(str, terms))}, ...?"
        return _lettered(rng, stem, str(right), [str(w) for w in _near(rng, right)],
                         f"Each term adds {step}, so {right}.")
    group, other = rng.sample(sorted(_ODD_ONE_OUT), 2)
    same = rng.sample(_ODD_ONE_OUT[group], 3)
    odd = rng.choice(_ODD_ONE_OUT[other])
    return _lettered(rng, "Which word does not belong with the others?", odd, same,
                     f"{odd} is not one of the {group}.")


def _near(rng: random.Random, right: int) -> list[int]:
    offsets = rng.sample([-10, -2, -1, 1, 2, 10], 3)
    return [right + offset for offset in offsets]


def _lettered(rng: random.Random, stem: str, right: str, wrong: list[str],
              solution: str) -> tuple[str, str, str]:
    options = [right, *wrong]
    rng.shuffle(options)
    letter = LETTERS[options.index(right)]
    lines = "\n".join(f"{LETTERS[i]}) {option}" for i, option in enumerate(options))
    return f"{stem}\n{lines}", letter, solution
