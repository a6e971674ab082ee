import sys

from archive.api.spec import main

sys.exit(main())
