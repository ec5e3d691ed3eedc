"""The small error hierarchy; the CLI turns each into a one-line message and an exit code."""


class MdnetError(Exception):
    """A problem the user can fix; its message is shown as is, without a traceback."""

    exit_code = 1


class UsageError(MdnetError):
    """Wrong usage: a bad option value, a bad date, a bad config."""

    exit_code = 2


class ConfigError(UsageError):
    """`.mdnet.toml` cannot be read or holds a bad value."""


class NotFoundError(MdnetError):
    """A NAME that matches no contact, or several."""


class RefusedError(MdnetError):
    """An action refused to protect the vault: an existing file, a changed file."""
