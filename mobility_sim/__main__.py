"""``python -m mobility_sim ...``: the same commands as ``mobility-sim``."""

from .cli import main

if __name__ == "__main__":
    main()
