"""``python -m coopledger``: the same as the ``coopledger`` command."""

from __future__ import annotations

import sys

from coopledger.cli import main

sys.exit(main())
