"""python -m fourierlens_export --model DIR --numbers 0-299 --prompts addition --out dump.h5"""
import argparse
import sys

from . import export_dump, load_model
from .errors import ExportError
from .prompts import addition_prompts, number_prompts


def parse_range(text):
    """"0-299" or "0,1,2,10-20" to a list of ints."""
    numbers = []
    try:
        for part in text.split(","):
            if "-" in part.strip()[1:]:
                low, high = part.split("-", 1)
                numbers.extend(range(int(low), int(high) + 1))
            else:
                numbers.append(int(part))
    except ValueError:
        raise ExportError(f"expected numbers like 0-299 or 1,2,5-9, found {text!r}") from None
    return numbers


def build_prompts(spec, numbers, count, seed):
    """"addition" (the NeurIPS templates), a template with {n} (one prompt per number), @FILE
    (one template per line, each with {n}), or "none"."""
    if spec in (None, "none"):
        return None
    if spec == "addition":
        return addition_prompts(count=count, max_operand=max(numbers) // 2, seed=seed)
    if spec.startswith("@"):
        with open(spec[1:]) as f:
            templates = [line.strip() for line in f if line.strip()]
        return [p for t in templates for p in number_prompts(t, numbers)]
    return number_prompts(spec, numbers)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m fourierlens_export",
                                     description="Export a local Hugging Face model to a FourierLens dump.")
    parser.add_argument("--model", required=True, help="model directory (config.json inside), or 'minilm'")
    parser.add_argument("--out", required=True, help="the dump to write (refused if it exists)")
    parser.add_argument("--numbers", default=None, help="numbers to export, e.g. 0-299 (default: the single-token range from 0)")
    parser.add_argument("--prompts", default=None,
                        help="'addition', a template with {n} such as 'There are {n} apples.', @FILE of templates, or none")
    parser.add_argument("--count", type=int, default=500, help="number of addition prompts")
    parser.add_argument("--position", default="number", help="'number', 'last', or a token index")
    parser.add_argument("--sites", default=None, help="comma-separated: resid_pre,attn_out,mlp_out,resid_post")
    parser.add_argument("--layers", default=None, help="layers to export, e.g. 0-5 (default: all)")
    parser.add_argument("--dtype", default="float32", choices=("float16", "bfloat16", "float32"))
    parser.add_argument("--unembedding", default="full", choices=("full", "numbers", "none"))
    parser.add_argument("--leading-space", action="store_true", help="number tokens with a leading space (' 12')")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    args = parser.parse_args(argv)
    try:
        numbers = parse_range(args.numbers) if args.numbers else None
        model, tokenizer = load_model(args.model)
        prompt_numbers = numbers if numbers is not None else list(range(0, 100))
        position = int(args.position) if args.position.lstrip("-").isdigit() else args.position
        export_dump(model, tokenizer, args.out, numbers=numbers,
                    prompts=build_prompts(args.prompts, prompt_numbers, args.count, args.seed),
                    position=position, sites=args.sites.split(",") if args.sites else None,
                    layers=parse_range(args.layers) if args.layers else None, leading_space=args.leading_space,
                    dtype=args.dtype, unembedding=None if args.unembedding == "none" else args.unembedding,
                    batch_size=args.batch_size, overwrite=args.overwrite)
    except ExportError as error:
        print(f"fourierlens_export: {error}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
