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
    """One prompt per number from a template with a `{n}` slot, e.g. "The number {n}."; a
    literal brace is written twice ({{ or }})."""
    import string

    try:
        slots = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    except ValueError as error:
        raise ExportError(f"expected a template with a {{n}} slot and braces doubled elsewhere, found {template!r} ({error})") from None
    if "n" not in slots or any(slot != "n" for slot in slots):
        others = sorted({"{" + slot + "}" for slot in slots if slot != "n"})
        found = f" (it has {', '.join(others)}; write a literal brace as {{{{ or }}}})" if others else ""
        raise ExportError(f"expected a template whose one slot is {{n}}, found {template!r}{found}")
    return [Prompt(template.format(n=n), value=int(n), answer=int(n), marker=int(n)) for n in numbers]


def read_prompt_file(path):
    """Prompts from a JSON-lines file, one object a line: "text" (required), "answer" (an
    integer: the expected number), "value" or "values" (the prompt's number, default the
    answer) and "marker" (the number whose token position="number" reads, default the value).
    For answers that are not a + b or n, e.g. (a + b) mod p."""
    import json

    prompts = []
    try:
        with open(path) as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    text = item["text"]
                    answer = item.get("answer")
                    value = item.get("value", item.get("values", answer))
                    marker = item.get("marker", value)
                    prompts.append(Prompt(str(text), value=None if value is None else int(value),
                                          answer=None if answer is None else int(answer),
                                          marker=None if marker is None else int(marker)))
                except (ValueError, KeyError, TypeError, AttributeError) as error:
                    raise ExportError(f"{path}: line {number}: expected a JSON object with \"text\" and integer "
                                      f"\"answer\"/\"value\", found {line.strip()[:80]!r} ({type(error).__name__}: {error})") from None
    except OSError as error:
        raise ExportError(f"{path}: expected a readable JSON-lines prompt file ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise ExportError(utf8_error(path, error)) from None
    if not prompts:
        raise ExportError(f"{path}: expected at least one prompt, found none")
    return prompts


def utf8_error(path, error):
    """The line for a prompt file that is not UTF-8 text."""
    return f"{path}: expected UTF-8 text, found byte 0x{error.object[error.start]:02x} at offset {error.start} that is not"
