"""Prompt sets: the addition templates of Zhou et al. (NeurIPS 2024) and templates with a number slot."""
import random
from dataclasses import dataclass

from .errors import ExportError

ADDITION_TEMPLATES = (
    "Put together {a} and {b}.",
    "Total of {a} and {b}.",
    "Add together {a} and {b}.",
    "Calculate {a} + {b}.",
    "What is the sum of {a} and {b}?",
)


@dataclass(frozen=True)
class Prompt:
    text: str
    #: the number the prompt is about (its row's value for spectra over prompts)
    value: int
    #: the expected answer as a number (None when there is none)
    answer: int = None
    #: the number whose token marks the readout position (position="number")
    marker: int = None


def addition_prompts(count=500, max_operand=260, max_sum=None, templates=ADDITION_TEMPLATES, seed=0):
    """`count` addition prompts a + b with operands in 0..max_operand, templates in turn.
    The prompt's value is the answer a + b; the readout marker is b (the last operand)."""
    rng = random.Random(seed)
    max_sum = 2 * max_operand if max_sum is None else max_sum
    prompts = []
    while len(prompts) < count:
        a, b = rng.randint(0, max_operand), rng.randint(0, max_operand)
        if a + b > max_sum:
            continue
        template = templates[len(prompts) % len(templates)]
        prompts.append(Prompt(template.format(a=a, b=b), value=a + b, answer=a + b, marker=b))
    return prompts


def number_prompts(template, numbers):
    """One prompt per number from a template with a `{n}` slot, e.g. "The number {n}."."""
    if "{n}" not in template:
        raise ExportError(f"expected a template with a {{n}} slot, found {template!r}")
    return [Prompt(template.format(n=n), value=int(n), answer=int(n), marker=int(n)) for n in numbers]
