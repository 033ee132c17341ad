"""``python -m gewe_async`` runs the CLI."""

import sys

from gewe_async.cli import main

sys.exit(main())
