"""``python -m kg`` is the ``privacy-kg`` command."""
from kg.cli import main

main()
