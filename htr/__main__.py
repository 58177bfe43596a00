"""`python -m htr --help`"""

import sys

from htr.cli import main

sys.exit(main())
