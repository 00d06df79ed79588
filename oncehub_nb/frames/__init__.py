"""Records to typed tables, and the jobs around them: pulls, sync, export.

Owns the column schemas' machinery (records to a typed pandas DataFrame or Arrow table), pulls
that keep what arrived and resume, the incremental sync file, and export to Parquet or CSV. It
never does HTTP itself: pulls are driven by callables the resources hand it. It may import
``_config``, ``_errors``, ``_redact`` and ``_version`` only (not ``_http``, not ``auth``).

Example:
    >>> from oncehub_nb.frames.build import Column
    >>> Column("id", "string").name
    'id'
"""
