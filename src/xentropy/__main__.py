"""``python -m xentropy``: see :mod:`xentropy.cli`."""

import sys

from xentropy.cli import main

sys.exit(main())
