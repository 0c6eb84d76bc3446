"""Errors users see. The CLI maps UserError to exit code 1 and prints its Chinese message."""


class UserError(Exception):
    """A problem with the user's input or environment; the message is a Chinese sentence
    naming the input (file, row, column, value) and the fix."""
