"""`python -m a3c`: see a3c/cli.py."""
import sys

from a3c.cli import main

if __name__ == "__main__":
    sys.exit(main())
