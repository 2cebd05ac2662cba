import sys

from tmpguard.cli import main

sys.exit(main())
