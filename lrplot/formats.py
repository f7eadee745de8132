"""Output formats: one registry, one writer interface.

A :class:`Document` is what a run made (a schedule's trace, or a figure of
several): its name, metadata, table and figure model. Each :class:`Format`
turns a document into a :data:`~lrplot.files.Writer`. The CLI's ``--format``,
its help and the docs read :data:`FORMATS`; to add a format, write its writer
and add one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

from .errors import ParameterError

if TYPE_CHECKING:  # not at run time: --help reads FORMATS and must stay fast
    from matplotlib.figure import Figure

    from .figure_model import FigureModel
    from .files import Writer
    from .writers import Table


class Document(Protocol):
    """What a run made, ready to be written in any format."""

    @property
    def name(self) -> str:
        """The file stem."""
        ...

    @property
    def convention(self) -> str:
        """Which ``last_epoch`` each row belongs to."""
        ...

    @property
    def columns_key(self) -> str | None:
        """JSON: the key that holds the columns, or ``None`` to put them beside the metadata."""
        ...

    def metadata(self) -> dict[str, object]: ...

    def table(self) -> Table: ...

    def figure(self) -> FigureModel: ...


class Drawing:
    """A document's figure model, built once for every renderer, and drawn by matplotlib
    once for every figure format."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self._model: FigureModel | None = None
        self._figure: Figure | None = None

    def model(self) -> FigureModel:
        if self._model is None:
            self._model = self.document.figure()
        return self._model

    def writer(self, fmt: str) -> Writer:
        def write(f: IO[bytes]) -> None:
            from . import plot

            if self._figure is None:
                self._figure = plot.render(self.model())
            plot.save(self._figure, f, fmt, self.model().dpi)

        return write


@dataclass(frozen=True)
class Format:
    """An output format: ``NAME.EXT`` made by ``writer(document, drawing)``; ``help``
    is what ``--format``'s help says of it. A ``screen`` format writes no file: the
    caller shows what :func:`screen_text` gives."""

    name: str
    help: str
    writer: Callable[[Document, Drawing], Writer] | None
    screen: bool = False


def _figure(fmt: str) -> Callable[[Document, Drawing], Writer]:
    return lambda document, drawing: drawing.writer(fmt)


def _csv(document: Document, drawing: Drawing) -> Writer:
    from .writers import table_writer

    return table_writer(document.metadata(), document.convention, document.table())


def _py(document: Document, drawing: Drawing) -> Writer:
    from .scripts import script
    from .writers import text_writer

    return text_writer(script(document))


def _json(document: Document, drawing: Drawing) -> Writer:
    from .writers import json_writer

    return json_writer(document.metadata(), document.table(), document.columns_key)


def _txt(document: Document, drawing: Drawing) -> Writer:
    from .figure_text import sidecar
    from .writers import text_writer

    return text_writer(sidecar(drawing.model()))


def _html(document: Document, drawing: Drawing) -> Writer:
    from .html import page
    from .writers import text_writer

    return text_writer(page(drawing.model(), document.metadata(), document.convention))


FORMATS = {
    f.name: f
    for f in (  # the defaults first, as --help lists them
        Format("png", "the figure, 150 dpi", _figure("png")),
        Format("csv", "every value at full precision, the metadata in comments", _csv),
        Format("svg", "the figure as vector graphics", _figure("svg")),
        Format("pdf", "the figure as a PDF page", _figure("pdf")),
        Format("json", "the metadata and every column in one JSON document", _json),
        Format("py", "a Python script that rebuilds the CSV with torch, byte for byte", _py),
        Format("txt", "every title, label, legend entry and note, one a line; what render --check compares", _txt),
        Format("html", "one self-contained interactive page: hover for exact values, zoom, log y", _html),
        Format("term", "the figure drawn in the terminal, on standard output; no file", None, screen=True),
    )
}
DEFAULT_FORMATS = ("png", "csv")
DRAWN_FORMATS = ("png", "svg", "pdf")  # the ones matplotlib draws


def draws(formats: Iterable[str]) -> bool:
    """Whether any of ``formats`` (parsed names) is drawn by matplotlib."""
    return any(fmt in DRAWN_FORMATS for fmt in formats)


def parse_formats(items: Iterable[str] | None) -> tuple[str, ...]:
    """Formats from repeated or comma-separated names (``None``: png and csv)."""
    texts = [",".join(DEFAULT_FORMATS)] if items is None else items
    formats = tuple(f.strip() for item in texts for f in item.split(",") if f.strip())
    if not formats:
        raise ParameterError("format", f"expected at least one of {', '.join(FORMATS)}")
    for fmt in formats:
        if fmt not in FORMATS:
            raise ParameterError("format", f"expected one of {', '.join(FORMATS)}, got {fmt!r}")
    return tuple(dict.fromkeys(formats))


def outputs(
    document: Document,
    directory: Path,
    formats: Iterable[str] | None = None,
    encoded: Mapping[str, bytes] | None = None,
) -> dict[Path, Writer]:
    """A writer for each ``DIRECTORY/NAME.FORMAT``; figure formats share one drawing. A format
    in ``encoded`` (what :func:`encode` made of the document) is written as those bytes."""
    from .files import check_stem
    from .writers import bytes_writer

    check_stem(document.name, "name")  # whatever made the document, its files stay in ``directory``
    drawing = Drawing(document)
    return {
        directory / f"{document.name}.{fmt}": (
            bytes_writer(encoded[fmt]) if encoded and fmt in encoded else writer(document, drawing)
        )
        for fmt in parse_formats(formats)
        if (writer := FORMATS[fmt].writer) is not None
    }


def encode(document: Document, formats: Iterable[str] | None = None) -> dict[str, bytes]:
    """The bytes of each file :func:`outputs` writes, by format: made in a worker process,
    written by the process that commits every file of the run."""
    import io

    encoded = {}
    for path, writer in outputs(document, Path(), formats).items():
        buffer = io.BytesIO()
        writer(buffer)
        encoded[path.suffix[1:]] = buffer.getvalue()
    return encoded


def screen_formats(formats: Iterable[str] | None) -> tuple[str, ...]:
    """The formats among ``formats`` that are shown, not written."""
    return tuple(fmt for fmt in parse_formats(formats) if FORMATS[fmt].screen)


def screen_text(document: Document, width: int = 80, height: int = 20, color: bool = False) -> str:
    """``document``'s figure drawn for a terminal ``width`` x ``height`` characters (see :mod:`lrplot.terminal`)."""
    from .terminal import draw

    return draw(document.figure(), width, height, color)
