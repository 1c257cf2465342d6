"""Where each site of a layer is read or replaced in a Hugging Face model: forward hooks on the
modules whose output is what the block adds to the residual stream (docs/SCHEMA.md)."""


def _first(value):
    return value[0] if isinstance(value, (tuple, list)) else value


def _with_first(value, tensor):
    if isinstance(value, tuple):
        return (tensor,) + tuple(value[1:])
    if isinstance(value, list):
        return [tensor] + list(value[1:])
    return tensor


def site_module(arch, site, layer):
    """(module, "pre" or "post"): resid_pre is the block's input, the others a module's output."""
    if site == "resid_pre":
        return arch.layers[layer], "pre"
    module = {"resid_post": arch.layers, "attn_out": arch.attn, "mlp_out": arch.mlp}[site][layer]
    return module, "post"


def register_site_hook(arch, site, layer, transform, batch_shape=None):
    """A forward hook at `site` of `layer` that calls `transform(tensor)` on the site's
    [batch, pos, d] value, as the block adds it to the residual (the module's output times
    `arch.add_scale`); a tensor it returns replaces the value in the forward pass, None keeps it.
    `batch_shape` (batch, pos) reshapes a module run on the flattened batch (OPT's fc2).
    Returns the handle (`.remove()`)."""
    module, kind = site_module(arch, site, layer)
    if kind == "pre":
        def pre(module, args, kwargs):
            if args:
                replaced = transform(args[0])
                return None if replaced is None else ((replaced,) + tuple(args[1:]), kwargs)
            replaced = transform(kwargs["hidden_states"])
            return None if replaced is None else (args, dict(kwargs, hidden_states=replaced))
        return module.register_forward_pre_hook(pre, with_kwargs=True)

    scale = arch.add_scale if site in ("attn_out", "mlp_out") else 1.0

    def post(module, args, output):
        value = _first(output)
        flat = value.dim() == 2 and batch_shape is not None
        shaped = value.view(*batch_shape, -1) if flat else value
        replaced = transform(shaped * scale if scale != 1.0 else shaped)
        if replaced is None:
            return None
        replaced = replaced / scale if scale != 1.0 else replaced
        return _with_first(output, replaced.reshape(value.shape) if flat else replaced)
    return module.register_forward_hook(post)
