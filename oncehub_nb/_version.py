"""The package version: a leaf module (it imports nothing, and nothing here imports the root).

Example:
    >>> from oncehub_nb._version import __version__
    >>> __version__.count(".") >= 2
    True
"""

__version__ = "0.1.0"
