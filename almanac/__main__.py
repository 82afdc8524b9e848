import sys

from almanac.cli import main

sys.exit(main())
