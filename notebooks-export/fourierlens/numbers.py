"""Which integers a tokenizer keeps as one token."""
from dataclasses import dataclass, field

from .errors import ExportError


@dataclass
class NumberTokens:
    values: list = field(default_factory=list)
    ids: list = field(default_factory=list)
    strings: list = field(default_factory=list)
    #: the largest n such that every integer 0..n is a single token (-1 when 0 is not)
    contiguous_max: int = -1

    def restrict(self, wanted):
        """The tokens of the numbers in `wanted`, in that order; every one must be a single token."""
        index = {v: i for i, v in enumerate(self.values)}
        missing = [n for n in wanted if n not in index]
        if missing:
            shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
            raise ExportError(f"expected numbers that are single tokens; not single tokens: {shown} "
                              f"(this tokenizer keeps 0..{self.contiguous_max} whole)")
        picked = [index[n] for n in wanted]
        return NumberTokens([self.values[i] for i in picked], [self.ids[i] for i in picked],
                            [self.strings[i] for i in picked], self.contiguous_max)


def encode(tokenizer, text, special_tokens=False):
    """Token ids of `text` (without special tokens unless asked), for a transformers or a
    tokenizers tokenizer. A text the tokenizer cannot encode (a word outside a vocabulary that
    has no unknown token) raises ExportError naming the text, never the tokenizer's own error."""
    try:
        if hasattr(tokenizer, "encode_batch") and not hasattr(tokenizer, "convert_ids_to_tokens"):
            encoding = tokenizer.encode(text, add_special_tokens=special_tokens)  # tokenizers.Tokenizer
            # A tokenizer.json may pad every encoding to a fixed length: keep the real tokens only.
            return [i for i, real in zip(encoding.ids, encoding.attention_mask) if real]
        return list(tokenizer(text, add_special_tokens=special_tokens)["input_ids"])
    except Exception as error:  # tokenizers raises plain Exception for out-of-vocabulary words
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ExportError(f"expected text the tokenizer can encode, found {text!r} ({reason})") from None


def decode(tokenizer, token_id):
    """The text of one token as it reads in a sentence (" the" for GPT-2's "Ġthe")."""
    return tokenizer.decode([int(token_id)])


def token_string(tokenizer, token_id):
    if hasattr(tokenizer, "convert_ids_to_tokens"):
        return tokenizer.convert_ids_to_tokens(int(token_id))
    return tokenizer.id_to_token(int(token_id))


def find_number_tokens(tokenizer, numbers=range(0, 1000), leading_space=False):
    """Every integer in `numbers` that the tokenizer encodes as exactly one token.

    `leading_space` encodes " 12" instead of "12" (GPT-2 style vocabularies keep both forms)."""
    found = NumberTokens()
    unknown = getattr(tokenizer, "unk_token_id", None)
    for n in numbers:
        try:
            ids = encode(tokenizer, (" " if leading_space else "") + str(n))
        except ExportError:
            continue  # not in a vocabulary without an unknown token: not a single token either
        # A number outside the vocabulary encodes as the unknown token: it is no number token.
        if len(ids) == 1 and (unknown is None or ids[0] != unknown):
            found.values.append(int(n))
            found.ids.append(int(ids[0]))
            found.strings.append(token_string(tokenizer, ids[0]))
    present = set(found.values)
    while found.contiguous_max + 1 in present:
        found.contiguous_max += 1
    return found
