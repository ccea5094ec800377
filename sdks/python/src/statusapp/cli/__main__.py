"""`python -m statusapp.cli`: the same as the `statusapp` command."""

import sys

from . import main

sys.exit(main())
