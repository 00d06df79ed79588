"""Notebook experience: ``login()``, the sign-in panel, HTML views of clients and flows.

Owns everything that only makes sense with a person at a notebook or console: the sign-in panel
(ipywidgets, imported only when a panel is shown), the console prompts, the local redirect
catcher's wiring, and the ``_repr_html_`` views. It sits above the client: it may import
``oncehub_nb._client``, ``auth`` and the layers below, never ``cli``, ``sandbox`` or ``testing``.

Example:
    >>> import oncehub_nb
    >>> oncehub_nb.login  # doctest: +ELLIPSIS
    <function login at ...>
"""
