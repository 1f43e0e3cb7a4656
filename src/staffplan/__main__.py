import sys

from staffplan.cli import main

sys.exit(main())
