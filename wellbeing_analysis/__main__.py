"""``python -m wellbeing_analysis`` runs the command line."""

import sys

from wellbeing_analysis.cli import main

sys.exit(main())
