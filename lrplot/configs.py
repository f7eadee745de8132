"""Figure sets from TOML files, and the text form of a curve (``NAME:key=value,...``).

Both turn user text into checked :class:`~lrplot.figures.FigureSpec` and
:class:`~lrplot.figures.CurveSpec` values; errors name the file, the figure and
the key (or the curve).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from . import schedules
from .errors import ConfigError, CurveSyntaxError, LrplotError, LrplotWarning, ParameterError, UnknownScheduleError
from .figures import CurveSpec, FigureSpec
from .files import check_stem
from .limits import MAX_CONFIG_BYTES, MAX_TEXT, check_text
from .look import Look, choose
from .options import DEFAULT_STEPS, RunOptions
from .params import InputFile, Param, ScheduleRequest, parse_request

FIGURE_KEYS: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "title": (str,),
    "note": (str,),
    "steps": (int,),
    "lr": (int, float, list),
    "optimizer": (str,),
    "record": (str,),
    "engine": (str,),
    "interval": (str,),
    "steps_per_epoch": (int,),
    "figsize": (list,),
    "dpi": (int,),
    "font_size": (int, float),
    "log_x": (bool,),
    "xlim": (list,),
    "preset": (str,),
    "legend_fontsize": (int, float),
    "log_y": (bool,),
    "grid": (bool,),
    "curve": (list,),
}
CURVE_KEYS: dict[str, tuple[type, ...]] = {
    "schedule": (str,),
    "label": (str,),
    "lr": (int, float, list),
    "resume_steps": (int,),
}
TYPE_NAMES = {int: "integer", float: "number", str: "text", list: "list", bool: "true/false"}
TOP_KEYS = {"title", "description", "out", "page", "reference", "defaults", "figure"}
PROJECT_MARKERS = (".git", "pyproject.toml")  # a folder holding one is the root of a project
Raw = dict[str, object]


@dataclass(frozen=True)
class FigureSet:
    """A parsed figure-set file.

    ``root`` is the folder tree it may write in (see :func:`write_root`).
    ``reference``: another set's page, where its page links each schedule's
    section instead of repeating its options.
    """

    path: Path
    figures: tuple[FigureSpec, ...]
    out: Path
    title: str = ""
    description: str = ""
    page: Path | None = None
    root: Path = Path()
    reference: Path | None = None

    def select(self, only: str | None) -> tuple[FigureSpec, ...]:
        if only is None:
            return self.figures
        chosen = tuple(f for f in self.figures if f.name == only)
        if not chosen:
            names = ", ".join(f.name for f in self.figures)
            raise ConfigError(f"{self.path}: no figure named {only!r} (figures: {names})")
        return chosen


def load(path: str | os.PathLike[str], overrides: Mapping[str, object] | None = None) -> FigureSet:
    """Read and check a figure-set TOML file.

    Args:
        path: the file.
        overrides: figure keys given on the command line (steps, lr, optimizer,
            record, engine, log_y); they replace the file's values in every figure.
            ``look``, a :class:`~lrplot.look.Look`, goes over each figure's own.
    """
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    path = Path(path)
    if "\0" in str(path):
        raise ConfigError(f"{str(path)!r}: a file name cannot hold a NUL character")
    try:
        if path.exists() and not path.is_file():  # a folder, or a pipe or device, which could block forever
            raise ConfigError(f"{path}: not a file")
        with open(path, "rb") as f:
            content = f.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read it: {e.strerror or e}") from None
    if len(content) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KiB, the most a figure set may be")
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text (byte {e.start + 1} is not)") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    except ValueError:  # Python's limit on the digits of an integer
        raise ConfigError(f"{path}: not valid TOML here: a number of more than 4300 digits") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None
    where = str(path)
    _no_unknown(data, TOP_KEYS, where)
    defaults = _table(data.get("defaults", {}), f"{where}: [defaults]")
    figures = data.get("figure", [])
    if not isinstance(figures, list) or not figures:
        raise ConfigError(f"{where}: key 'figure': expected one or more [[figure]] tables")
    specs = []
    overrides = dict(overrides or {})
    look = overrides.pop("look", None)
    for i, table in enumerate(figures, start=1):
        own = _table(table, f"{where}: figure {i}")
        raw = _files_from(path.parent, {**defaults, **own, **overrides})
        name = raw.get("name")
        try:
            check_stem(name, "name")
        except ParameterError as e:
            raise ConfigError(f"{where}: figure {i}: key 'name': {e.reason} (it names the files)") from None
        spec = _figure(raw, f"{where}: figure '{name}'", set(own))
        if isinstance(look, Look):
            mine = look.over(spec.look)
            spec = replace(spec, figsize=mine.figsize, look=mine)
        specs.append(spec)
    for key in defaults:  # a default need not suit every figure, but should suit one
        if key in _param_names() and not any(key in s.shared and _taken(key, s.curves) for s in specs):
            warnings.warn(LrplotWarning(f"{where}: [defaults] key '{key}': no curve takes it; ignored"), stacklevel=2)
    names = [s.name for s in specs]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"{where}: figure '{name}': key 'name': two figures share it")
    base = path.parent
    page, out, reference = data.get("page"), data.get("out", "."), data.get("reference")
    for key, value in (("out", out), ("page", page), ("reference", reference)):
        if value is not None and (not isinstance(value, str) or not value.strip() or not value.isprintable()):
            raise ConfigError(f"{where}: key '{key}': expected a path without control characters, got {value!r}")
    for key, value in (("page", page), ("reference", reference)):
        if isinstance(value, str) and not value.endswith(".md"):
            raise ConfigError(f"{where}: key '{key}': expected a markdown file ending in .md, got {value!r}")
    page_path = Path(os.path.normpath(base / page)) if page else None
    reference_path = Path(os.path.normpath(base / reference)) if reference else None
    if reference_path is not None and page_path is None:
        raise ConfigError(f"{where}: key 'reference': only a set with a page links to it (give 'page' too)")
    if reference_path is not None and reference_path == page_path:
        raise ConfigError(f"{where}: key 'reference': the set's own page; name another set's page (the gallery)")
    for key, limit in (("title", None), ("description", MAX_CONFIG_BYTES)):
        _text(data.get(key, ""), f"{where}: key '{key}'", limit)
    return FigureSet(
        path=path,
        figures=tuple(specs),
        out=Path(os.path.normpath(base / out)),
        title=data.get("title", ""),
        description=data.get("description", ""),
        page=page_path,
        root=write_root(path),
        reference=reference_path,
    )


def write_root(config: Path) -> Path:
    """The folder tree a figure set may write in: the project that holds it.

    That is the closest folder above the config (or its own) with a ``.git`` or
    ``pyproject.toml``. The search stops below the home folder and at a folder
    that others may write in or that another user owns (``/tmp``: a marker
    planted there must not widen every tree under it). Without one, the tree is
    the config's own folder. Symbolic links are resolved, so a link cannot lead
    out of it.
    """
    folder = Path(os.path.realpath(config)).parent
    try:
        home: Path | None = Path(os.path.realpath(Path.home()))
    except (KeyError, RuntimeError):  # no home folder known
        home = None
    for candidate in (folder, *folder.parents):
        if candidate == home or candidate == candidate.parent or not _own_folder(candidate):
            break
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    return folder


def _own_folder(folder: Path) -> bool:
    """Whether ``folder`` is the user's and no one else may write in it."""
    try:
        stat = folder.stat()
    except OSError:
        return False
    mine = not hasattr(os, "getuid") or stat.st_uid == os.getuid()
    return mine and not stat.st_mode & 0o002


def _files_from(base: Path, raw: Raw) -> Raw:
    """``raw`` with the path of each file parameter (a metrics log, a factory) read from ``base``, the
    config's folder, as ``out`` and ``page`` are; in the figure's own keys, in each curve's, and in
    the children of a composition (tables, or NAME:key=value texts), however deep."""
    params = [p for s in schedules.REGISTRY.specs() for p in s.params]
    files = {p.name for p in params if p.kind in ("file", "factory")}
    nested = {p.name: p for p in params if p.kind == "schedules"}

    def rebased(table: Raw) -> Raw:
        out: Raw = {}
        for key, value in table.items():
            if key in files and isinstance(value, str):
                out[key] = InputFile(value, str(base))
            elif key in nested and value:
                out[key] = children(nested[key], value)
            else:
                out[key] = value
        return out

    def children(param: Param, value: object) -> object:
        try:  # each child as a request; a malformed one is left for the figure's own checks to report
            requests = param.check(value)
        except LrplotError:
            return value
        assert isinstance(requests, tuple)
        return [ScheduleRequest(r.name, rebased(dict(r.params))) for r in requests]

    curves = raw.get("curve")
    if isinstance(curves, list):
        raw = {**raw, "curve": [rebased(c) if isinstance(c, dict) else c for c in curves]}
    return rebased(raw)


def _param_names() -> set[str]:
    return {p.name for s in schedules.REGISTRY.specs() for p in s.params}


def _taken(key: str, curves: Iterable[CurveSpec]) -> bool:
    return any(schedules.REGISTRY.get(c.schedule).param(key) for c in curves)


def _figure(raw: Raw, where: str, own: set[str]) -> FigureSpec:
    """A figure from its keys (``own``: those its own table gives, not the defaults)."""
    shared_names = _param_names()
    shared = {}
    for key, value in raw.items():
        if key in FIGURE_KEYS:
            _type(value, FIGURE_KEYS[key], f"{where}: key '{key}'")
        elif key in shared_names:
            shared[key] = value
        else:
            raise ConfigError(f"{where}: key '{key}': unknown key (figure keys: {', '.join(FIGURE_KEYS)})")
    curves_raw = raw.get("curve", [])
    assert isinstance(curves_raw, list)
    if not curves_raw:
        raise ConfigError(f"{where}: key 'curve': expected one or more [[figure.curve]] tables")
    curves = tuple(_curve(_table(c, f"{where}: curve {i}"), f"{where}: curve {i}") for i, c in enumerate(curves_raw, 1))
    for key in shared:
        if key in own and not _taken(key, curves):
            message = f"{where}: key '{key}': no curve of the figure takes it; ignored"
            warnings.warn(LrplotWarning(message), stacklevel=2)
    if any(c.resume_steps for c in curves) and len(curves) > 1:
        raise ConfigError(f"{where}: key 'resume_steps': a resumed curve must be the figure's only curve")
    figsize, xlim = raw.get("figsize"), raw.get("xlim")
    for key, value, what in (("figsize", figsize, "[width, height] in inches"), ("xlim", xlim, "[first, last] steps")):
        if value is not None and (not isinstance(value, list) or len(value) != 2 or not all(map(_is_number, value))):
            raise ConfigError(f"{where}: key '{key}': expected {what}, got {value!r}")
    try:
        per_epoch = raw.get("steps_per_epoch")
        options = RunOptions.check(
            raw.get("optimizer"),
            raw.get("record"),
            raw.get("engine"),
            raw.get("interval"),
            per_epoch,  # type: ignore[arg-type]
        )
        look = choose(
            raw.get("preset"),  # type: ignore[arg-type]
            (figsize[0], figsize[1]) if isinstance(figsize, list) else None,
            raw.get("dpi"),  # type: ignore[arg-type]
            raw.get("font_size"),  # type: ignore[arg-type]
            raw.get("log_x"),  # type: ignore[arg-type]
            (xlim[0], xlim[1]) if isinstance(xlim, list) else None,
        )
        return FigureSpec(
            name=str(raw["name"]),
            curves=curves,
            steps=int(raw.get("steps", DEFAULT_STEPS)),  # type: ignore[call-overload]
            lr=_lrs(raw.get("lr", 1.0)),
            shared=shared,
            options=options,
            title=raw.get("title"),  # type: ignore[arg-type]
            figsize=look.figsize,
            look=look,
            legend_fontsize=raw.get("legend_fontsize", 10.0),  # type: ignore[arg-type]
            log_y=bool(raw.get("log_y", False)),
            grid=bool(raw.get("grid", False)),
            note=str(raw.get("note", "")),
        )
    except ParameterError as e:  # the keys are the figure's own
        raise ConfigError(f"{where}: key '{e.param}': {e.reason}") from None


def _curve(raw: Raw, where: str) -> CurveSpec:
    if "schedule" not in raw:
        raise ConfigError(f"{where}: key 'schedule': missing (see 'lrplot list')")
    for key, kinds in CURVE_KEYS.items():
        if key in raw:
            _type(raw[key], kinds, f"{where}: key '{key}'")
    try:
        spec = schedules.REGISTRY.get(str(raw["schedule"]))
    except LrplotError as e:
        raise ConfigError(f"{where}: key 'schedule': {e}") from None
    params = {k: v for k, v in raw.items() if k not in CURVE_KEYS}
    for key in params:
        if spec.param(key) is None:
            valid = ", ".join([*CURVE_KEYS, *(p.name for p in spec.params)])
            raise ConfigError(f"{where}: key '{key}': unknown key for {spec.name} (valid: {valid})")
    resume = raw.get("resume_steps")
    try:
        return CurveSpec(
            schedule=schedules.REGISTRY.command_name(spec),
            params=params,
            label=str(raw["label"]) if "label" in raw else None,
            lr=_lrs(raw["lr"]) if "lr" in raw else None,
            resume_steps=resume if isinstance(resume, int) else None,
        )
    except ParameterError as e:
        raise ConfigError(f"{where}: key '{e.param}': {e.reason}") from None


def _lrs(value: object) -> tuple[float, ...]:
    return tuple(value) if isinstance(value, list) else (value,)  # type: ignore[return-value]  # checked by resolve


def _table(value: object, where: str) -> Raw:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table, got {value!r}")
    return value


def _type(value: object, kinds: tuple[type, ...], where: str) -> None:
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        names = " or ".join(TYPE_NAMES[k] for k in kinds)
        raise ConfigError(f"{where}: expected {names}, got {value!r}")


def _text(value: object, where: str, limit: int | None = None) -> None:
    try:
        check_text("text", value, limit or MAX_TEXT)
    except ParameterError as e:
        raise ConfigError(f"{where}: {e.reason}") from None


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _no_unknown(data: Mapping[str, object], allowed: Iterable[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            raise ConfigError(f"{where}: key '{key}': unknown key (top-level keys: {', '.join(sorted(allowed))})")


# The compare command's curve syntax ---------------------------------------------------


def parse_curve(text: str) -> CurveSpec:
    """``NAME`` or ``NAME:key=value,key=value`` (keys may be hyphenated; ``label``
    and ``lr`` are allowed besides the schedule's parameters)."""
    where = f"curve '{text}'"
    request = parse_request(text)
    try:
        spec = schedules.REGISTRY.get(request.name)
    except UnknownScheduleError as e:
        raise e.located(where) from None
    items = dict(request.params)
    label, lr = items.pop("label", None), items.pop("lr", None)
    for key in items:
        if spec.param(key) is None:
            valid = ", ".join(["label", "lr", *(p.name for p in spec.params)])
            raise ParameterError(key, f"{spec.name} takes no such parameter (valid: {valid})").located(where)
    if lr is not None and not _is_number(lr):
        raise ParameterError("lr", f"expected a number, got {lr!r}").located(where)
    lrs = (float(lr),) if isinstance(lr, (int, float)) else None
    try:
        return CurveSpec(schedules.REGISTRY.command_name(spec), items, str(label) if label is not None else None, lrs)
    except ParameterError as e:  # the label: a key of the curve, not an option
        raise CurveSyntaxError(f"{where}: {e.param}: {e.reason}") from None
