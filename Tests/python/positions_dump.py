"""A small dump with [N, pos, d] activations, vocabulary strings and padded prompts: the lens's
every-position views (tests of the trajectory, and the positions report among every report kind)."""
import h5py
import numpy as np

N, POS, D, VOCAB, P, LAYERS = 12, 6, 16, 80, 30, 3
CHOSEN = 5
EPS = 1e-5


def vocabulary():
    # Strings that a page must escape, and leading spaces it must show.
    words = [f"tok{i}" for i in range(VOCAB)]
    words[3], words[4], words[5] = " the", "<b>&", "a,\"b\""
    for v in range(P):
        words[20 + v] = str(v)
    return words


def write_positions_dump(path):
    """Writes the dump to `path`; returns what it holds (float64 weights, activations, tokens)."""
    rng = np.random.default_rng(13)
    W_U = rng.standard_normal((D, VOCAB)).astype(np.float32)
    b_U = (0.1 * rng.standard_normal(VOCAB)).astype(np.float32)
    w = (1 + 0.1 * rng.standard_normal(D)).astype(np.float32)
    b = (0.1 * rng.standard_normal(D)).astype(np.float32)
    answers = rng.integers(0, P, N)
    acts = {}
    resid = rng.standard_normal((N, POS, D)).astype(np.float32)
    for layer in range(LAYERS):
        mlp = (0.6 * rng.standard_normal((N, POS, D))).astype(np.float32)
        # Position 3 promotes each prompt's answer more with depth.
        mlp[:, 3] += 12.0 * layer * W_U[:, 20 + answers].T / np.linalg.norm(W_U[:, 20 + answers], axis=0)[:, None]
        resid = (resid + mlp).astype(np.float32)
        acts[layer] = {"mlp_out": mlp, "resid_post": resid.copy()}
    tokens = np.array([[f"w{p}" for p in range(POS)] for _ in range(N)], dtype=object)
    tokens[CHOSEN, 4:] = ""  # the chosen prompt is two tokens shorter
    tokens[CHOSEN, 2] = " <in>"
    tokens[:3, 5] = ""
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["tokens/ids"] = np.arange(20, 20 + P)
        f["tokens/values"] = np.arange(P)
        f["vocabulary/strings"] = np.array(vocabulary(), dtype=h5py.string_dtype("utf-8"))
        f["weights/W_U"] = W_U
        f["weights/b_U"] = b_U
        ds = f.create_dataset("weights/ln_final.w", data=w)
        ds.attrs["kind"] = "layernorm"
        ds.attrs["eps"] = EPS
        f["weights/ln_final.b"] = b
        f.create_dataset("prompts/answer", data=answers).attrs["kind"] = "value"
        f.create_dataset("prompts/tokens", data=tokens, dtype=h5py.string_dtype("utf-8"))
        for layer in range(LAYERS):
            for site, x in acts[layer].items():
                f[f"acts/blocks.{layer}.hook_{site}"] = x
    model = {"W_U": W_U.astype(np.float64), "b_U": b_U.astype(np.float64), "w": w.astype(np.float64),
             "b": b.astype(np.float64), "answers": answers, "acts": acts, "tokens": tokens}
    return model
