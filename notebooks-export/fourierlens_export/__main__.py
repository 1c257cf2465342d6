"""python -m fourierlens_export (deprecated): the same command line as python -m fourierlens."""
import sys
import warnings

from fourierlens.__main__ import main

warnings.warn("python -m fourierlens_export is now python -m fourierlens", DeprecationWarning, stacklevel=1)
sys.exit(main(prog="python -m fourierlens_export"))
