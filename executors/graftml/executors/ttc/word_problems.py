"""Story problems with integer answers, from templates (one or two steps)."""

from __future__ import annotations

import random

_NAMES = ("Ana", "Ben", "Chloe", "Dev", "Emma", "Farid", "Grace", "Hugo", "Iris", "Jon", "Kira",
          "Liam", "Maya", "Noah", "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tara")
_THINGS = ("apples", "pencils", "marbles", "stickers", "books", "cookies", "shells", "cards",
           "stamps", "coins")


def word_problem(rng: random.Random) -> tuple[str, str, str]:
    """(question, answer, solution) of one story problem."""
    name, other = rng.sample(_NAMES, 2)
    thing = rng.choice(_THINGS)
    kind = rng.choice(("gain", "loss", "groups", "two_step"))
    if kind == "gain":
        a, b = rng.randint(3, 40), rng.randint(2, 30)
        return (f"{name} has {a} {thing}. {other} gives {name} {b} more {thing}. "
                f"How many {thing} does {name} have now?", str(a + b), f"{a} + {b} = {a + b}.")
    if kind == "loss":
        a = rng.randint(10, 60)
        b = rng.randint(2, a - 1)
        return (f"{name} had {a} {thing} and gave {b} of them to {other}. "
                f"How many {thing} does {name} have left?", str(a - b), f"{a} - {b} = {a - b}.")
    if kind == "groups":
        a, b = rng.randint(2, 9), rng.randint(2, 9)
        return (f"{name} has {a} bags with {b} {thing} in each bag. "
                f"How many {thing} does {name} have in all?", str(a * b), f"{a} × {b} = {a * b}.")
    a, b = rng.randint(5, 30), rng.randint(2, 20)
    c = rng.randint(1, a + b - 1)
    value = a + b - c
    return (f"{name} has {a} {thing}, buys {b} more, then gives {c} to {other}. "
            f"How many {thing} does {name} have now?", str(value),
            f"{a} + {b} - {c} = {value}.")
