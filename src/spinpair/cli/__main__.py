"""``python -m spinpair.cli``: the ``spinpair`` command."""

from .main import main

main()
