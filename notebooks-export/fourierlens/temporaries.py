"""The hidden files and folders the package is writing (a dump's temporary file, a report's
staging folder): removed when the program is stopped by SIGTERM or SIGHUP, wherever it is."""
import os
import shutil
import signal

_live = set()


def register(path):
    _live.add(path)


def unregister(path):
    _live.discard(path)


def remove_all():
    for path in list(_live):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            try:
                os.unlink(path)
            except OSError:
                pass
    _live.clear()


def stop_on_signals():
    """SIGTERM, SIGHUP: remove what is half-written, then end at once with 128 + the signal. An
    exception raised from the handler could land in a finaliser, where Python ignores it."""
    def stop(number, frame):
        remove_all()
        os._exit(128 + number)

    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, stop)
