#!/usr/bin/env python
"""Django's command-line utility; `openisms` is the same with a friendlier face."""

from openisms.cli.main import main

if __name__ == "__main__":
    main()
