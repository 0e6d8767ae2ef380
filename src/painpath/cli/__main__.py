import sys

from painpath.cli import main

sys.exit(main())
