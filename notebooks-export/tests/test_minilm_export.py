"""The exporter on the real pre-trained all-MiniLM-L6-v2: values equal the model's own."""
import h5py
import numpy as np
import torch

from export_helpers import inspect_json, roles
from fourierlens import addition_prompts, export_dump, number_prompts


def test_embeddings_equal_the_model_weights(minilm, tmp_path):
    model, tokenizer = minilm
    out = str(tmp_path / "weights.h5")
    export_dump(model, tokenizer, out, numbers=range(0, 342))
    weights = model.embeddings.word_embeddings.weight.detach().numpy()
    with h5py.File(out) as f:
        ids = f["tokens/ids"][...]
        assert list(f["tokens/values"][...]) == list(range(342))
        assert np.array_equal(f["weights/W_E"][...], weights[ids])
        assert np.array_equal(f["weights/W_U"][...], weights.T)  # tied: the transposed embedding
        assert f["weights/W_U"].attrs["tied"] == 1
        assert f.attrs["schema"] == "fourierlens/1" and f.attrs["d_model"] == 384 and f.attrs["n_layers"] == 6
    report = inspect_json(out)
    assert {"embeddings", "number token ids", "number values", "number strings", "unembedding W_U"} <= set(roles(report))
    assert report["problems"] == []


def test_hidden_states_equal_output_hidden_states(minilm, tmp_path):
    model, tokenizer = minilm
    prompts = number_prompts("There are {n} apples.", [0, 7, 42, 199, 300]) + addition_prompts(count=7, max_operand=120, seed=1)
    out = str(tmp_path / "acts.h5")
    export_dump(model, tokenizer, out, numbers=range(0, 300), prompts=prompts, position="number",
                sites=("resid_pre", "resid_post"), batch_size=4)
    with h5py.File(out) as f:
        positions = f["prompts/position"][...]
        for row, prompt in enumerate(prompts):
            encoded = tokenizer(prompt.text, return_tensors="pt")
            assert tokenizer.convert_ids_to_tokens(int(encoded["input_ids"][0, positions[row]])) == str(prompt.marker)
            with torch.no_grad():
                hidden = model(**encoded, output_hidden_states=True).hidden_states
            for layer in range(6):
                expected = hidden[layer + 1][0, positions[row]].numpy()
                got = f[f"acts/blocks.{layer}.hook_resid_post"][row]
                np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
                np.testing.assert_allclose(f[f"acts/blocks.{layer}.hook_resid_pre"][row],
                                           hidden[layer][0, positions[row]].numpy(), rtol=1e-4, atol=1e-4)
        assert [t.decode() for t in f["prompts/text"][...]] == [p.text for p in prompts]
        assert list(f["prompts/values"][...]) == [p.value for p in prompts]
        assert f["prompts/answer"].attrs["kind"] == "value"
    report = inspect_json(out)
    assert {"prompt texts", "prompt answers", "prompt values", "readout positions"} <= set(roles(report))
    sites = {a["site"]: a["layers"] for a in report["activations"]}
    assert sites == {"resid_pre": list(range(6)), "resid_post": list(range(6))}


def test_float16_and_bfloat16_outputs(minilm, tmp_path):
    model, tokenizer = minilm
    weights = model.embeddings.word_embeddings.weight.detach()
    for dtype in ("float16", "bfloat16"):
        out = str(tmp_path / f"{dtype}.h5")
        export_dump(model, tokenizer, out, numbers=range(0, 50), dtype=dtype, unembedding=None)
        with h5py.File(out) as f:
            ids = f["tokens/ids"][...]
            stored = f["weights/W_E"][...]
            if dtype == "float16":
                assert np.array_equal(stored, weights[ids].half().numpy())
            else:
                assert f["weights/W_E"].attrs["dtype"] == "bfloat16"
                expected = weights[ids].to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
                assert np.array_equal(stored, expected)
        report = inspect_json(out)
        w_e = next(e for e in report["entries"] if e["path"] == "/weights/W_E")
        assert w_e["dtype"] == ("float16" if dtype == "float16" else "bfloat16 (uint16 words)")


def test_position_of_a_given_token(minilm, tmp_path):
    model, tokenizer = minilm
    from fourierlens import readout_positions
    prompts = number_prompts("Total of {n} and 4 = ?", [3, 17])
    ids = [list(tokenizer(p.text)["input_ids"]) for p in prompts]
    positions = readout_positions(tokenizer, prompts, ids, "=")
    assert [tokenizer.convert_ids_to_tokens(i[p]) for i, p in zip(ids, positions)] == ["=", "="]
