"""Notebook experience: ``login()``, the sign-in panel, short errors in cells.

Owns everything that only makes sense with a person at a notebook or console: the sign-in panel
(anywidget, imported only when a panel is shown), waiting in a cell while the panel stays live,
the console prompts, the local redirect catcher's wiring, and the short rendering of errors in
notebook cells (installed on import; it changes nothing outside a notebook kernel). It sits
above the client: it may import ``oncehub_nb._client``, ``auth`` and the layers below, never
``cli``, ``sandbox`` or ``testing``.

Example:
    >>> import oncehub_nb
    >>> oncehub_nb.login  # doctest: +ELLIPSIS
    <function login at ...>
"""

from oncehub_nb.notebook.errors import install as _install_short_errors

_install_short_errors()
