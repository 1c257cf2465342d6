"""The one error type the exporter raises for bad input: a clear sentence, nothing overwritten."""


class ExportError(ValueError):
    """Bad input to an exporter: names what was given and what was expected."""
