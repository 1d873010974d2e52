"""``python -m skdeep``: the :mod:`skdeep.cli` command."""

import sys

from .cli import main

sys.exit(main())
