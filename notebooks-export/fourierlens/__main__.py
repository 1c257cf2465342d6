"""python -m fourierlens [export] --model DIR --numbers 0-299 --prompts addition --out dump.h5
python -m fourierlens import CACHE --out dump.h5 [--map NAME=blocks.L.hook_SITE ...]
python -m fourierlens merge SHARD.h5 ... --out dump.h5   (shards written with --prompt-range)
python -m fourierlens run-dask SPEC.yaml --scheduler ADDRESS --out DIR   (a study's tasks on a Dask cluster)
python -m fourierlens patch --model DIR DUMP.h5 FILTERED... --out DIR   (filtered activations patched back)
python -m fourierlens count-numbers CORPUS... --tokenizer DIR --numbers 0-999 --out counts.h5   (corpus counts)"""
import argparse
import errno
import os
import sys

from . import count_numbers, export_dump, import_cache, load_model, study_dask, temporaries
from .errors import ExportError
from .numbers import find_number_tokens
from .prompts import addition_prompts, number_prompts, read_prompt_file, utf8_error


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
    """"addition" (the NeurIPS templates, answers among `numbers`), a template with {n} (one
    prompt per number), @FILE (one template per line, each with {n}), FILE.jsonl or @FILE.jsonl
    (JSON lines: text, answer, value), or "none"."""
    if spec in (None, "none"):
        return None
    if spec == "addition":
        top = max(numbers)
        return addition_prompts(count=count, max_operand=top, max_sum=top, seed=seed)
    path = spec[1:] if spec.startswith("@") else spec
    if path.endswith(".jsonl"):
        return read_prompt_file(path)
    if spec.startswith("@"):
        try:
            with open(path) as f:
                templates = [line.strip() for line in f if line.strip()]
        except OSError as error:
            raise ExportError(f"{path}: expected a readable file of templates ({error.strerror})") from None
        except UnicodeDecodeError as error:
            raise ExportError(utf8_error(path, error)) from None
        return [p for t in templates for p in number_prompts(t, numbers)]
    return number_prompts(spec, numbers)


def count_in(low, high):
    """An argparse type: an integer within low…high (--batch-size 0 or -1, --count 10⁹ refused at once)."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer from {low} to {high} (found {text})") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected an integer from {low} to {high} (found {value})")
        return value
    return parse


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (what is wrong and where to look), exit 2, as the Swift CLI."""

    def error(self, message):
        self.exit(2, f"fourierlens: {message}; see '{self.prog} --help'\n")


class _DefaultsFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, except the empty ones (None, False) whose help says it."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False or action.default == []:
            return action.help
        return super()._get_help_string(action)


def _export_parser(sub, formatter):
    parser = sub.add_parser("export", formatter_class=formatter,
                            help="run a local Hugging Face model and write its dump (the default command)",
                            description="Export a local Hugging Face model to a FourierLens dump.")
    parser.add_argument("--model", required=True, help="model directory (config.json inside), or 'minilm'")
    parser.add_argument("--out", required=True, help="the dump to write (refused if it exists)")
    parser.add_argument("--model-name", default=None, help="the dump's model attribute (default: the model directory)")
    parser.add_argument("--numbers", default=None,
                        help="numbers to export, e.g. 0-299 (default: the tokenizer's single-token range from 0)")
    parser.add_argument("--prompts", default=None,
                        help="'addition' (answers within --numbers), a template with {n} such as 'There are {n} apples.', "
                             "@FILE of templates, FILE.jsonl of prompts (JSON lines: text, answer, value), or none")
    parser.add_argument("--count", type=count_in(1, 1_000_000), default=500, help="number of addition prompts")
    parser.add_argument("--prompt-range", default=None, metavar="START:END",
                        help="export only these prompts of the list (END excluded): a shard for `merge`")
    parser.add_argument("--position", default="number",
                        help="'number' (the prompt's number), 'last' (the last token, special tokens included), "
                             "'last_nonspecial', a single token such as '=' (its last occurrence), "
                             "a token index (negative from the end), or 'all' (every position, [N, pos, d])")
    parser.add_argument("--sites", default=None, help="comma-separated: resid_pre,attn_out,mlp_out,resid_post (default: all)")
    parser.add_argument("--layers", default=None, help="layers to export, e.g. 0-5 (default: all)")
    parser.add_argument("--dtype", default="float32", choices=("float16", "bfloat16", "float32"),
                        help="how floats are stored")
    parser.add_argument("--unembedding", default="full", choices=("full", "numbers", "none"),
                        help="W_U over the whole vocabulary, only the number tokens' columns, or none")
    parser.add_argument("--leading-space", action="store_true", help="number tokens with a leading space (' 12')")
    parser.add_argument("--batch-size", type=count_in(1, 65_536), default=32, help="prompts per forward pass")
    parser.add_argument("--seed", type=int, default=0, help="seed of the addition prompts")
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it exists")


def _import_parser(sub, formatter):
    parser = sub.add_parser("import", formatter_class=formatter,
                            help="turn an activation cache on disk (.pt, .safetensors, .npy) into a dump",
                            description="Turn an activation cache already on disk into a FourierLens dump, without "
                                        "re-running the model. Prints how each tensor name maps to the schema.")
    parser.add_argument("cache", nargs="+", help="a directory of .pt / .safetensors / .npy files, or the files")
    parser.add_argument("--out", required=True, help="the dump to write (refused if it exists)")
    parser.add_argument("--map", action="append", default=[], metavar="NAME=SCHEMA_NAME",
                        help="a cache tensor and its schema name, e.g. layer_3=blocks.3.hook_mlp_out or "
                             "answers=prompts/answer (repeatable; default: guessed from the names)")
    parser.add_argument("--position", type=int, default=None, help="keep one position of [N, pos, d] tensors (default: all)")
    parser.add_argument("--dtype", default="float32", choices=("float16", "bfloat16", "float32"),
                        help="how floats are stored")
    parser.add_argument("--model-name", default=None, help="the dump's model attribute")
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it exists")


def _merge_parser(sub, formatter):
    parser = sub.add_parser("merge", formatter_class=formatter,
                            help="concatenate dump shards (written with --prompt-range) into one dump")
    parser.add_argument("shards", nargs="+", help="the shards' dump files, in any order")
    parser.add_argument("--out", required=True, help="the dump to write (refused if it exists)")
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it exists")


def _patch_parser(sub, formatter):
    parser = sub.add_parser("patch", formatter_class=formatter,
                            help="patch filtered activations (fourierlens filter) back into the model and measure it",
                            description="Re-run the dump's prompts with each filtered site replaced at its readout position "
                                        "and measure the patched model: number accuracy (exact, ±2, ±10), vocabulary accuracy, "
                                        "loss and KL to the unpatched model (Zhou et al. 2024, Table 1).")
    parser.add_argument("dump", help="the dump the filtered activations were computed from")
    parser.add_argument("filtered", nargs="+", help="filtered dumps: filter report directories or their filtered.h5")
    parser.add_argument("--model", required=True, help="the model directory the dump was exported from (config.json inside)")
    parser.add_argument("--out", required=True, help="the report directory to write (refused if it exists)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--together", action="store_true",
                       help="patch every readout of a filtered dump in one forward pass (default: as filtered, --joint or not)")
    group.add_argument("--each", action="store_true", help="patch each readout of a filtered dump on its own")
    parser.add_argument("--batch-size", type=count_in(1, 65_536), default=64, help="prompts per forward pass")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no findings on stdout")
    parser.add_argument("--json", action="store_true", help="print summary.json on stdout instead of the findings")
    parser.add_argument("--no-figures", action="store_true", help=argparse.SUPPRESS)


def _run_patch(args):
    from .patch import patch
    from .patch_report import describe_change

    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # stderr keeps to errors: one line each
    transformers_logging.set_verbosity_error()
    model, tokenizer = load_model(args.model)
    together = True if args.together else False if args.each else None
    result = patch(model, tokenizer, args.dump, args.filtered, together=together, batch_size=args.batch_size,
                   progress=False if args.quiet else None, out=args.out, force=args.force)
    if args.json:
        with open(os.path.join(args.out, "summary.json")) as f:
            sys.stdout.write(f.read())
        return True
    if not args.quiet:
        unpatched = result.rows[0]
        for row in result.rows[1:]:
            print(describe_change(row, unpatched))
        # As the Swift commands end: the page's path, which a study leaves out of the task's findings.
        print(f"report: {os.path.abspath(os.path.join(args.out, 'index.html'))}")
    return True


def _run_merge(args):
    from .shards import merge_dumps

    merge_dumps(args.shards, args.out, overwrite=args.overwrite)


def _run_export(args):
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # stderr keeps to errors: one line each
    numbers = parse_range(args.numbers) if args.numbers else None
    model, tokenizer = load_model(args.model)
    if numbers is None:
        found = find_number_tokens(tokenizer, range(0, 1000), args.leading_space)
        prompt_numbers = list(range(0, found.contiguous_max + 1))
    else:
        prompt_numbers = numbers
    if args.prompts == "addition" and not prompt_numbers:
        raise ExportError("expected number tokens for --prompts addition; this tokenizer keeps no 0..n whole (give --numbers)")
    position = int(args.position) if args.position.lstrip("-").isdigit() else args.position
    prompts = build_prompts(args.prompts, prompt_numbers, args.count, args.seed)
    prompt_range = None
    if args.prompt_range:
        from .shards import parse_prompt_range

        prompt_range = parse_prompt_range(args.prompt_range, len(prompts or []))
    export_dump(model, tokenizer, args.out, numbers=numbers, prompts=prompts, prompt_range=prompt_range,
                position=position, sites=args.sites.split(",") if args.sites else None,
                layers=parse_range(args.layers) if args.layers else None, leading_space=args.leading_space,
                dtype=args.dtype, unembedding=None if args.unembedding == "none" else args.unembedding,
                batch_size=args.batch_size, overwrite=args.overwrite, model_name=args.model_name)


def _run_import(args):
    from .importers import parse_mapping

    source = args.cache[0] if len(args.cache) == 1 else args.cache
    import_cache(source, args.out, mapping=parse_mapping(args.map), position=args.position, dtype=args.dtype,
                 overwrite=args.overwrite, model_name=args.model_name)


def one_line(error):
    """An unexpected failure as one line: what it is and where, no traceback (FOURIERLENS_DEBUG=1 shows it)."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return f"{error.filename or 'the output'}: expected room to write it; the disk is full (nothing was left half-written)"
    text = " ".join(str(error).split()) or type(error).__name__
    return f"expected input the exporter can read; it failed with {type(error).__name__}: {text[:400]}"


def main(argv=None, prog="python -m fourierlens", exit_at_once=False):
    formatter = _DefaultsFormatter
    parser = _Parser(prog=prog, formatter_class=formatter,
                                     description="FourierLens dumps from PyTorch models and activation caches.")
    sub = parser.add_subparsers(dest="command", metavar="{export,import,merge,patch,run-dask,count-numbers}")
    _export_parser(sub, formatter)
    _import_parser(sub, formatter)
    _merge_parser(sub, formatter)
    _patch_parser(sub, formatter)
    study_dask.add_parser(sub, formatter)
    count_numbers.add_parser(sub, formatter)
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("export", "import", "merge", "patch", "run-dask", "count-numbers", "-h", "--help"):
        argv = ["export"] + argv  # the export options alone, as before subcommands
    args = parser.parse_args(argv)
    name = prog.split()[-1]
    temporaries.stop_on_signals()
    if exit_at_once:
        # h5py reports a dataset's failed close (a full disk) from its finaliser as a traceback
        # (through sys.excepthook, then as "Exception ignored"); every failure of a command
        # reaches the user as its one line below instead.
        sys.excepthook = lambda *exception: None
        sys.unraisablehook = lambda unraisable: None
    try:
        if args.command == "run-dask":
            return study_dask.main(args, name)
        quiet = {"import": _run_import, "merge": _run_merge, "patch": _run_patch,
                 "count-numbers": lambda a: count_numbers.run(a, parse_range) or True}.get(args.command, _run_export)(args)
    except ExportError as error:
        print(f"{name}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 — any other failure is still one line, never a traceback
        if os.environ.get("FOURIERLENS_DEBUG"):
            raise
        print(f"{name}: {one_line(error)}", file=sys.stderr)
        if exit_at_once:
            # h5py can crash freeing the objects of a file it could not write (a full disk) once this
            # exception is dropped: the line is out and the temporary file gone, so end here.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(2)
        return 2
    if not quiet and not getattr(args, "quiet", False):
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(exit_at_once=True))
