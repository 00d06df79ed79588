"""Give each resource's ``list()`` and ``to_frame()`` their real keyword arguments and docs.

The filters are declared once per resource (a ``TypedDict``, see :mod:`._filters`). When the
resource class is made, :func:`publish` installs on it a ``list`` and a ``to_frame`` whose
``inspect.signature`` lists every filter with its type (what ``help()``, IPython's ``?`` and
tab completion read) and whose docstring documents each one. The code run is the base class's:
only the signature and the words are the resource's own.

Example:
    >>> import inspect
    >>> from oncehub_nb.resources import Bookings
    >>> "created_after" in inspect.signature(Bookings.list).parameters
    True
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["publish"]

_LIST_DOC = """Iterate over {noun}, fetching pages of 100 on demand.

Every filter is sent on every page; a wrong name or value fails before any request. Times may
be ``datetime`` (naive means UTC), ``date`` or ISO 8601 strings. The result can be iterated
again (a new walk each time), walked page by page (``.pages()``), and tells where it stopped
(``.cursor``, to pass as ``after=``).

Args:
{args}
Returns:
    A re-iterable listing of {noun} (dicts, as the API sends them).

Raises:
    ConfigurationError: a wrong filter name or value (before any request is sent).

Example:
    >>> listing = hub.{attribute}.list(max_items=2)
    >>> [item["id"][:{width}] for item in listing]
    ['{prefix}', '{prefix}']
    >>> listing.cursor.startswith("{prefix}")  # pass it as after= to go on from there
    True
"""

_FRAME_DOC = """Pull every matching {noun} into a typed DataFrame (same columns when empty).

Long pulls show a progress bar; Ctrl-C or a fatal error mid-pull raises
:class:`~oncehub_nb.PullInterrupted`, which keeps the frame so far (``.frame``) and can finish
the pull (``.resume()``, or ``to_frame(after=stop.cursor, ...)``).

Args:
    tz: show times in this IANA zone (default UTC).
    raw: return the records exactly as the API sent them, not a frame.
    explode: a list column to spread to one row per item.
    progress: ``True``/``False`` to show/hide the bar; ``None`` shows it when more than one
        page is fetched in a notebook or terminal.
{args}
Returns:
    One row per object: nested objects flattened to dotted names, related objects as ``*_id``
    (plus ``<field>.*`` when expanded), lists kept as lists.

Raises:
    ConfigurationError: a wrong argument (before any request).
    PullInterrupted: the pull stopped early after fetching something.

Example:
    >>> frame = hub.{attribute}.to_frame(max_items=5, progress=False)
    >>> len(frame) <= 5, "id" in frame.columns
    (True, True)
"""

_COMMON = {
    "expand": ("str | Iterable[str] | None", "fields to return as whole objects ({fields})."),
    "after": ("str | None", "resume after this cursor (a previous pull's ``cursor``)."),
    "max_items": ("int | None", "stop after this many {noun}."),
}


def _arg_lines(cls: Any, names: list[str]) -> str:
    lines = []
    for spec in cls.filters:
        lines.append(f"    {spec.name}: {spec.doc}")
    for name in names:
        text = _COMMON[name][1].format(noun=cls.noun, fields=", ".join(cls.expandable))
        lines.append(f"    {name}: {text}")
    return "\n".join(lines) + "\n"


def _parameters(cls: Any, base: Callable[..., Any], common: list[str]) -> list[inspect.Parameter]:
    own = [
        p
        for p in inspect.signature(base).parameters.values()
        if p.kind is not p.VAR_KEYWORD and p.name not in _COMMON
    ]
    keyword = inspect.Parameter.KEYWORD_ONLY
    filters = [
        inspect.Parameter(spec.name, keyword, default=None, annotation=spec.annotation | None)
        for spec in cls.filters
    ]
    extra = [
        inspect.Parameter(name, keyword, default=None, annotation=_COMMON[name][0])
        for name in common
    ]
    return [*own, *filters, *extra]


def _wrap(base: Callable[..., Any], cls: Any, name: str, doc: str, common: list[str]) -> Any:
    @functools.wraps(base)
    def method(self: Any, **kwargs: Any) -> Any:
        return base(self, **kwargs)

    signature = inspect.signature(base)
    method.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=_parameters(cls, base, common)
    )
    method.__doc__ = doc
    method.__qualname__ = f"{cls.__name__}.{name}"
    method.__module__ = cls.__module__
    return method


def publish(
    cls: Any,
    *,
    list_base: Callable[..., Any],
    frame_base: Callable[..., Any],
    outputs: Mapping[str, tuple[Callable[..., Any], str]] | None = None,
) -> None:
    """Install ``list`` and ``to_frame`` with ``cls``'s filters as keyword arguments.

    Args:
        cls: a resource class (its ``filters`` already read from ``filters_type``).
        list_base: the ``list`` that runs.
        frame_base: the ``to_frame`` that runs.
        outputs: more pulls to publish the same way (``to_arrow``): name -> (the method that
            runs, its docstring template, formatted like the others').
    """
    common = ["expand", "after", "max_items"] if cls.expandable else ["after", "max_items"]
    words = {
        "noun": cls.noun,
        "attribute": cls.attribute,
        "prefix": cls.id_prefix,
        "width": len(cls.id_prefix),
        "args": _arg_lines(cls, common),
    }
    cls.list = _wrap(list_base, cls, "list", _LIST_DOC.format(**words), common)
    cls.to_frame = _wrap(frame_base, cls, "to_frame", _FRAME_DOC.format(**words), common)
    for name, (base, template) in (outputs or {}).items():
        setattr(cls, name, _wrap(base, cls, name, template.format(**words), common))
