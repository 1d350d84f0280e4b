"""`python -m optimizer ...`: see optimizer/cli/__init__.py."""

import sys

from .cli import main

sys.exit(main())
