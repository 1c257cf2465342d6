"""Deprecated name of the `fourierlens` package: `import fourierlens` instead.

Every module of `fourierlens` stays importable under this name (fourierlens_export.weights, ...)."""
import importlib
import pkgutil
import sys
import warnings

import fourierlens
from fourierlens import *  # noqa: F401,F403
from fourierlens import __all__  # noqa: F401

warnings.warn("fourierlens_export is now called fourierlens; import fourierlens instead", DeprecationWarning, stacklevel=2)

for _module in pkgutil.iter_modules(fourierlens.__path__):
    if _module.name != "__main__":
        sys.modules[f"{__name__}.{_module.name}"] = importlib.import_module(f"fourierlens.{_module.name}")
