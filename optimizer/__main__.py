"""`python -m optimizer ...`: see optimizer/cli/__init__.py."""

import contextlib
import os
import sys

from .cli import main

code = main()
if "optimizer.storage" in sys.modules:
    sys.exit(code)  # database connections are closed the ordinary way, at teardown
# Otherwise a finished command leaves without tearing the interpreter down: freeing a large
# plan's objects one by one (10,000 clients: 0.1 s) is work nobody waits for. What it wrote is
# flushed first; the engine registers no exit handlers, and its files are written and closed
# inside the command.
with contextlib.suppress(BrokenPipeError):  # the reader closed the pipe (`| head`)
    sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
