"""The one shape of the engine's exceptions: a catalogue code and its parameters.

Every error the engine raises for a request it cannot answer (a bad setting, an unknown pool, a
damaged scenario file...) says it as a `Message`: the page and the command line render `exc.msg`
in the user's language, `str(exc)` is the English, and nobody parses the text.
"""

from __future__ import annotations

from typing import Any

from .messages import DEFAULT_LANG, Message, Translator


class CodedError(Exception):
    """An error that says the catalogue's `code` with `params`. A subclass may keep a shorter
    `code` for callers to branch on and say it with a `text_code` of its own."""

    def __init__(self, code: str, text_code: str = "", **params: Any):
        self.code = code
        self.text_code = text_code or code
        self.params = params
        super().__init__(code)

    @property
    def msg(self) -> Message:
        """The error as a catalogue message."""
        return Message(self.text_code, self.params)

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """The error in one language."""
        return Translator(lang).render(self.msg)

    def __str__(self) -> str:
        return self.text()

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword parameters do not survive the default pickling of exceptions (a process
        # pool sends errors back pickled): rebuild from the attributes instead.
        return (_rebuild, (type(self), dict(self.__dict__)))


def _rebuild(cls: type[CodedError], state: dict[str, Any]) -> CodedError:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("code", ""))
    err.__dict__.update(state)
    return err
