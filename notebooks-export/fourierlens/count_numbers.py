"""python -m fourierlens count-numbers CORPUS... --tokenizer DIR --numbers 0-999 --out counts.h5

How often each number's token occurs in a text corpus: the `/tokens/counts` role (docs/SCHEMA.md)
that `spectrum|compare --control-frequency` regresses out. Files are streamed line by line (plain
text or .gz), so a corpus of any size runs in constant memory; `--counts FILE.csv` takes counts a
user already has instead (header `number,count`)."""
import csv
import gzip
import os
import sys

import numpy as np

from . import progress
from .errors import ExportError
from .numbers import find_number_tokens

#: Lines are tokenized in batches of about this many characters; longer lines are cut at spaces.
BATCH_CHARS = 1 << 20
LONGEST_LINE = 10_000


def load_tokenizer(path):
    """A `tokenizers.Tokenizer` from DIR/tokenizer.json (or the file itself; "minilm": the
    packaged all-MiniLM-L6-v2), with truncation and padding off so that no token is lost."""
    from tokenizers import Tokenizer

    if path == "minilm":
        from .models import minilm_model_dir

        path = minilm_model_dir()
    file = os.path.join(path, "tokenizer.json") if os.path.isdir(path) else path
    try:
        tokenizer = Tokenizer.from_file(file)
    except Exception as error:  # tokenizers raises plain Exception for a missing or bad file
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ExportError(f"{file}: expected a tokenizer.json (a Hugging Face fast tokenizer) ({reason})") from None
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def corpus_files(paths):
    """The files of CORPUS arguments (directories walked in sorted order)."""
    files = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs.sort()
                files.extend(os.path.join(root, name) for name in sorted(names))
        elif os.path.isfile(path):
            files.append(path)
        else:
            raise ExportError(f"{path}: expected a text file or a directory of them, found nothing there")
    if not files:
        raise ExportError(f"{', '.join(paths)}: expected text files, found none")
    return files


def _lines(path, read_bytes):
    """The file's lines as text (UTF-8, undecodable bytes replaced), long lines cut at spaces.
    `read_bytes(n)` is told of every n bytes read from disk, for the progress bar."""
    raw = open(path, "rb")
    stream = gzip.GzipFile(fileobj=raw) if path.endswith(".gz") else raw
    seen = 0
    try:
        for line in stream:
            position = raw.tell()
            read_bytes(position - seen)
            seen = position
            text = line.decode("utf-8", errors="replace")
            while len(text) > LONGEST_LINE:
                cut = text.rfind(" ", 0, LONGEST_LINE)
                cut = LONGEST_LINE if cut <= 0 else cut
                yield text[:cut]
                text = text[cut:]
            yield text
    except (OSError, EOFError) as error:  # a damaged .gz
        raise ExportError(f"{path}: expected readable text or gzip, found damaged data ({error})") from None
    finally:
        raw.close()


def count_tokens(tokenizer, files, token_ids, show_progress=None):
    """How often each of `token_ids` occurs in `files`: an int64 array aligned with token_ids."""
    index = np.full(tokenizer.get_vocab_size(with_added_tokens=True) + 1, -1, dtype=np.int64)
    index[np.asarray(token_ids, dtype=np.int64)] = np.arange(len(token_ids))
    counts = np.zeros(len(token_ids), dtype=np.int64)
    total = sum(os.path.getsize(f) for f in files)
    enabled = sys.stderr.isatty() if show_progress is None else show_progress
    done = [0]

    def read(n):
        done[0] += n

    def flush(batch):
        for encoding in tokenizer.encode_batch(batch, add_special_tokens=False):
            ids = np.asarray(encoding.ids, dtype=np.int64)
            ids = ids[(ids >= 0) & (ids < len(index) - 1)]
            hits = index[ids]
            np.add.at(counts, hits[hits >= 0], 1)
        progress.show("counting numbers", min(done[0], total), total, enabled)

    batch, size = [], 0
    for path in files:
        for line in _lines(path, read):
            batch.append(line)
            size += len(line)
            if size >= BATCH_CHARS:
                flush(batch)
                batch, size = [], 0
    flush(batch)
    if enabled and done[0] < total:
        progress.show("counting numbers", total, total, enabled)
    return counts


def read_counts_csv(path, numbers):
    """Counts a user already has: a CSV with the header number,count (other columns ignored)."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as error:
        raise ExportError(f"{path}: expected a readable CSV of counts ({error.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise ExportError(f"{path}: expected a CSV of counts in UTF-8 ({error})") from None
    if not rows or "number" not in rows[0] or "count" not in rows[0]:
        raise ExportError(f"{path}: expected a CSV with the header number,count and a row per number")
    found = {}
    for line, row in enumerate(rows, start=2):
        try:
            number, count = int(row["number"]), float(row["count"])
        except (TypeError, ValueError):
            raise ExportError(f"{path}:{line}: expected a whole number and a count, found {row['number']!r}, {row['count']!r}") from None
        if not np.isfinite(count) or count < 0:
            raise ExportError(f"{path}:{line}: expected a count that is finite and >= 0, found {row['count']!r}")
        if number in found:
            raise ExportError(f"{path}:{line}: expected each number once, found {number} again")
        found[number] = count
    wanted = [n for n in numbers if n in found] if numbers is not None else sorted(found)
    if not wanted:
        raise ExportError(f"{path}: expected counts for the numbers asked for, found none of them")
    return wanted, np.asarray([found[n] for n in wanted])


def write_counts(out, values, counts, corpus, tokenizer_name=None, ids=None, strings=None, overwrite=False):
    """A counts file (a small dump: /tokens/values and /tokens/counts, attrs corpus and tokenizer),
    or a CSV number,count when `out` ends in .csv. Written to a temporary name, then renamed."""
    if os.path.exists(out) and not overwrite:
        raise ExportError(f"{out}: expected a new file; it exists (pass --overwrite to replace it)")
    partial = out + ".partial"
    try:
        if out.endswith(".csv"):
            with open(partial, "w", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(["number", "count"])
                for v, c in zip(values, counts):
                    writer.writerow([int(v), int(c) if float(c).is_integer() else repr(float(c))])
        else:
            import h5py

            with h5py.File(partial, "w") as f:
                f.attrs["schema"] = "fourierlens/1"
                f.attrs["model"] = f"number counts ({tokenizer_name or 'given counts'})"
                group = f.create_group("tokens")
                group.create_dataset("values", data=np.asarray(values, dtype=np.int64))
                if ids is not None:
                    group.create_dataset("ids", data=np.asarray(ids, dtype=np.int64))
                    group.create_dataset("strings", data=list(strings), dtype=h5py.string_dtype())
                integral = np.all(np.mod(counts, 1) == 0)
                data = group.create_dataset("counts", data=np.asarray(counts, dtype=np.int64 if integral else np.float64))
                data.attrs["corpus"] = corpus
                if tokenizer_name:
                    data.attrs["tokenizer"] = tokenizer_name
        os.replace(partial, out)
    except OSError as error:
        raise ExportError(f"{out}: expected a writable path ({error.strerror})") from None
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def add_parser(sub, formatter):
    parser = sub.add_parser("count-numbers", formatter_class=formatter,
                            help="count each number token in a text corpus (the /tokens/counts role)",
                            description="Count how often each number's token occurs in text files (streamed; .gz "
                                        "read as text), or take counts from a CSV, and write a counts file for "
                                        "spectrum|compare --control-frequency --counts FILE.")
    parser.add_argument("corpus", nargs="*", help="text files or directories (not with --counts)")
    parser.add_argument("--tokenizer", default=None,
                        help="a folder with tokenizer.json (or the file; 'minilm': the packaged all-MiniLM-L6-v2)")
    parser.add_argument("--numbers", default="0-999", help="the numbers to count")
    parser.add_argument("--leading-space", action="store_true", help="count the tokens of ' 12' instead of '12'")
    parser.add_argument("--counts", default=None, metavar="FILE.csv", help="counts a user already has (header number,count)")
    parser.add_argument("--corpus-name", default=None, help="the corpus named in the file (default: the CORPUS paths)")
    parser.add_argument("--out", required=True, help="the counts file to write: .h5 (for --counts FILE), or .csv")
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")


def run(args, parse_range):
    if os.path.exists(args.out) and not args.overwrite:  # before a long count, not after
        raise ExportError(f"{args.out}: expected a new file; it exists (pass --overwrite to replace it)")
    numbers = parse_range(args.numbers)
    if args.counts:
        if args.corpus:
            raise ExportError(f"{args.counts}: expected either CORPUS files or --counts, not both")
        values, counts = read_counts_csv(args.counts, numbers)
        left_out = 0
        ids = strings = None
        tokenizer_name = args.tokenizer
        corpus = args.corpus_name or os.path.basename(args.counts)
    else:
        if not args.corpus:
            raise ExportError("count-numbers: expected CORPUS files (or --counts FILE.csv)")
        if not args.tokenizer:
            raise ExportError("count-numbers: expected --tokenizer DIR to count tokens with")
        files = corpus_files(args.corpus)
        tokenizer = load_tokenizer(args.tokenizer)
        found = find_number_tokens(tokenizer, numbers, args.leading_space)
        if not found.values:
            raise ExportError(f"{args.tokenizer}: expected numbers of {args.numbers} that are single tokens, found none")
        left_out = len(numbers) - len(found.values)
        counts = count_tokens(tokenizer, files, found.ids, show_progress=False if args.quiet else None)
        values, ids, strings = found.values, found.ids, found.strings
        tokenizer_name = "minilm (all-MiniLM-L6-v2)" if args.tokenizer == "minilm" else os.path.basename(os.path.normpath(args.tokenizer))
        corpus = args.corpus_name or ", ".join(args.corpus)
    write_counts(args.out, values, counts, corpus, tokenizer_name, ids, strings, overwrite=args.overwrite)
    if not args.quiet:
        skipped = f" ({left_out} of {args.numbers} are not single tokens: left out)" if left_out else ""
        print(f"{len(values)} numbers{skipped}, {np.sum(counts):g} occurrences; none for {int(np.sum(np.asarray(counts) == 0))} of them")
        print(f"wrote {args.out}")
