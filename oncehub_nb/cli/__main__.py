"""``python -m oncehub_nb.cli``: the same as the ``oncehub-nb`` command."""

from oncehub_nb.cli import main

main()
