"""``python -m federation``: the aidfed command."""

from federation.cli import main

main()
