"""How a figure looks, apart from what it shows: size, resolution, fonts, x scale and range, presets.

A :class:`Look` is plain data that every document carries to the figure
builders (:mod:`lrplot.figure_model`); ``None`` leaves a choice to the figure.
The CLI's ``--figsize``, ``--dpi``, ``--font-size``, ``--log-x``, ``--xlim`` and
``--preset``, and a figure set's keys of the same names, are parsed here, so
both give the same messages. Nothing heavy is imported: ``--help`` reads
:data:`PRESETS`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from .errors import ParameterError
from .limits import DPI, FIGSIZE_INCHES, FONT_SIZE, MAX_PIXELS, check_magnitude, check_range, is_number

DEFAULT_DPI = 150


@dataclass(frozen=True)
class Look:
    """Attributes:
    figsize: (width, height) in inches; ``None``: the figure's own (7 x 4 for one panel).
    dpi: dots per inch of a PNG; ``None``: :data:`DEFAULT_DPI`.
    font_size: every text in points; ``None``: each text its own size (titles 12, labels 10).
    log_x: a logarithmic step axis (step 0 cannot be shown on it); ``None``: linear, unless
        a look under this one says otherwise.
    xlim: the steps ``(first, last)`` to draw; the curves are cut there before they are
        thinned, so a zoom shows every step in it.
    """

    figsize: tuple[float, float] | None = None
    dpi: int | None = None
    font_size: float | None = None
    log_x: bool | None = None
    xlim: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.figsize is not None:
            sides = tuple(check_range("figsize", side, FIGSIZE_INCHES, "inches") for side in self.figsize)
            if len(sides) != 2:
                raise ParameterError("figsize", f"expected WIDTH,HEIGHT in inches, got {self.figsize!r}")
            object.__setattr__(self, "figsize", sides)
        if self.dpi is not None:
            if isinstance(self.dpi, bool) or not isinstance(self.dpi, int):
                raise ParameterError("dpi", f"expected a whole number of dots per inch, got {self.dpi!r}")
            check_range("dpi", self.dpi, DPI, "dots per inch")
        if self.font_size is not None:
            object.__setattr__(self, "font_size", check_range("font_size", self.font_size, FONT_SIZE, "points"))
        if self.xlim is not None:
            object.__setattr__(self, "xlim", _checked_xlim(self.xlim))
        width, height = self.figsize or (7.0, 4.0)
        dpi = self.dpi or DEFAULT_DPI
        if width * dpi * height * dpi > MAX_PIXELS:
            raise ParameterError(
                "dpi",
                f"a {width:g} x {height:g} inch figure at {dpi} dpi is {width * dpi * height * dpi / 1e6:.0f} "
                f"megapixels; the most lrplot draws is {MAX_PIXELS / 1e6:.0f}: lower --dpi or --figsize",
                ("figsize",),
            )

    def over(self, base: Look) -> Look:
        """This look, with ``base``'s values where this one leaves a choice open."""
        given = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        return replace(base, **given)


@dataclass(frozen=True)
class Preset:
    """A named look, and the formats it writes when ``--format`` is not given."""

    look: Look
    formats: tuple[str, ...] | None
    help: str


PRESETS = {
    "readme": Preset(
        Look(figsize=(7.0, 4.0), dpi=300),
        None,
        "7 x 4 inches at 300 dpi: sharp on high-density screens at a README's width",
    ),
    "paper": Preset(
        Look(figsize=(3.4, 2.4), dpi=300, font_size=8.0),
        ("pdf", "png"),
        "a single column (3.4 x 2.4 inches), every text 8 pt, TrueType fonts embedded: PDF and a 300 dpi PNG",
    ),
}


def preset(name: str | None) -> Preset | None:
    """The preset called ``name`` (``None``: none)."""
    if name is None:
        return None
    if name not in PRESETS:
        raise ParameterError("preset", f"expected one of {', '.join(PRESETS)}, got {name!r}")
    return PRESETS[name]


def parse_figsize(text: str) -> tuple[float, float]:
    """``"7,4"`` or ``"7x4"`` -> (7.0, 4.0)."""
    parts = text.replace("x", ",").split(",")
    try:
        width, height = (float(p) for p in parts)
    except ValueError:
        raise ParameterError("figsize", f"expected WIDTH,HEIGHT in inches (e.g. 7,4), got {text!r}") from None
    return width, height


def parse_xlim(text: str) -> tuple[float, float]:
    """``"1000:2000"`` -> (1000.0, 2000.0): the first and last step to draw."""
    parts = text.split(":")
    try:
        first, last = (float(p) for p in parts)
    except ValueError:
        raise ParameterError("xlim", f"expected FIRST:LAST steps (e.g. 1000:2000), got {text!r}") from None
    return first, last


def _checked_xlim(xlim: object) -> tuple[float, float]:
    if not isinstance(xlim, tuple | list) or len(xlim) != 2 or not all(map(is_number, xlim)):
        raise ParameterError("xlim", f"expected FIRST:LAST steps, two numbers, got {xlim!r}")
    first, last = xlim
    for value in xlim:
        check_magnitude("xlim", value)
    if not (math.isfinite(first) and math.isfinite(last)) or not first < last:
        raise ParameterError("xlim", f"expected FIRST < LAST, got {first:g}:{last:g}")
    return float(first), float(last)


def choose(
    preset_name: str | None = None,
    figsize: str | tuple[float, float] | None = None,
    dpi: int | None = None,
    font_size: float | None = None,
    log_x: bool | None = None,
    xlim: str | tuple[float, float] | None = None,
) -> Look:
    """The look options ask for: each one given, else the preset's (``"7,4"`` and ``"A:B"`` are parsed)."""
    if isinstance(figsize, str):
        figsize = parse_figsize(figsize)
    if isinstance(xlim, str):
        xlim = parse_xlim(xlim)
    given = Look(figsize=figsize, dpi=dpi, font_size=font_size, log_x=log_x, xlim=xlim)
    chosen = preset(preset_name)
    return given.over(chosen.look) if chosen else given


def preset_formats(preset_name: str | None, formats: list[str] | None) -> list[str] | None:
    """The formats asked for, else the preset's (``None``: the default ones)."""
    chosen = preset(preset_name)
    return formats if formats is not None or chosen is None or chosen.formats is None else list(chosen.formats)
