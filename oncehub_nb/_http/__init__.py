"""The one send path: every HTTP request the SDK makes leaves through :mod:`.transport`.

Owns the pooled session, deadlines, the refusal of redirects, the size cap, the client-side rate
limit, retries, the mapping of failures to the error tree, and cursor pagination. It may import
only ``_config``, ``_errors``, ``_redact`` and ``_version``; it knows nothing of pandas, of
resources or of which credential is in use (the auth object it is given decides that).

Example:
    >>> from oncehub_nb._http.transport import Transport
    >>> Transport.__name__
    'Transport'
"""
