"""The one private cattrs converter: camelCase on the wire, strict scalars, no nulls sent.

Why strict: cattrs' defaults turn JSON ``null`` into ``'None'`` for a ``str`` field and ``12``
into ``'12'``; a client that does so hides server changes. Fields the server may send as null
are typed ``X | None`` in the models instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import IntEnum
from types import NoneType, UnionType
from typing import Any, Final, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.v import format_exception

T = TypeVar("T")

#: attrs field metadata key naming the field on the wire when camelCase is not it.
WIRE_NAME: Final = "gewe_wire_name"


def camel(name: str) -> str:
    """``big_head_img_url`` -> ``bigHeadImgUrl``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _wire_name(field: attrs.Attribute[Any]) -> str:
    return str(field.metadata.get(WIRE_NAME, camel(field.name)))


def _strict_str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    raise TypeError(f"expected a string, got {type(value).__name__} {value!r:.40}")


def _strict_int(value: Any, _: type) -> int:
    # bool is an int subclass; JSON true must not pass as 1.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"expected an integer, got {type(value).__name__} {value!r:.40}")


def _strict_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected true or false, got {type(value).__name__} {value!r:.40}")


def _strict_float(value: Any, _: type) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"expected a number, got {type(value).__name__} {value!r:.40}")


def _epoch_seconds(value: Any, _: type) -> datetime:
    # GeWe sends times as Unix seconds; an aware UTC datetime compares and converts safely.
    return datetime.fromtimestamp(_strict_int(value, int), tz=UTC)


def _int_enum(value: Any, cls: type[IntEnum]) -> IntEnum:
    return cls(_strict_int(value, int))


def _optional_of(type_: Any) -> Any:
    """``X`` for ``X | None`` (or ``Optional[X]``), else ``None``."""
    if get_origin(type_) not in (Union, UnionType):
        return None
    args = get_args(type_)
    if len(args) != 2 or NoneType not in args:
        return None
    return args[0] if args[1] is NoneType else args[1]


def _build() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=False, detailed_validation=True)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(int, _strict_int)
    conv.register_structure_hook(bool, _strict_bool)
    conv.register_structure_hook(float, _strict_float)
    conv.register_structure_hook(datetime, _epoch_seconds)
    conv.register_unstructure_hook(datetime, lambda dt: int(dt.timestamp()))
    # More specific than the int hook for every IntEnum subclass (singledispatch follows the MRO).
    conv.register_structure_hook(IntEnum, _int_enum)

    # cattrs' own ``X | None`` hook dispatches on ``X`` again for every value; most answer fields
    # are optional, so resolving ``X``'s hook once takes about a third off structuring a model.
    def optional_factory(type_: Any) -> Callable[[Any, type], Any]:
        inner_type = _optional_of(type_)
        if inner_type is str:  # most optional fields: checked inline, no call per value
            return lambda value, _: (
                value if value is None or value.__class__ is str else _strict_str(value, str)
            )
        inner = conv.get_structure_hook(inner_type)
        return lambda value, _: None if value is None else inner(value, inner_type)

    conv.register_structure_hook_factory(lambda t: _optional_of(t) is not None, optional_factory)

    def structure_factory(cls: type[Any]) -> Callable[[Any, type], Any]:
        renames = {f.name: override(rename=_wire_name(f)) for f in attrs.fields(cls)}
        return make_dict_structure_fn(cls, conv, **renames)  # type: ignore[arg-type]

    def unstructure_factory(cls: type[Any]) -> Callable[[Any], Any]:
        renames = {f.name: override(rename=_wire_name(f)) for f in attrs.fields(cls)}
        return make_dict_unstructure_fn(
            cls,
            conv,
            _cattrs_omit_if_default=True,
            **renames,  # type: ignore[arg-type]
        )

    conv.register_structure_hook_factory(attrs.has, structure_factory)
    conv.register_unstructure_hook_factory(attrs.has, unstructure_factory)
    return conv


def _request_bodies(base: cattrs.Converter) -> cattrs.Converter:
    conv = base.copy()

    def unstructure_factory(cls: type[Any]) -> Callable[[Any], Any]:
        # A field left at None was not given and stays out of the body; any other value is sent,
        # even one equal to its default: a page that marks searchInfo.cookies required wants
        # "cookies": "" rather than no key (finder/follow sent {"docId": ""} alone).
        fields = {
            f.name: override(rename=_wire_name(f), omit_if_default=f.default is None)
            for f in attrs.fields(cls)
        }
        return make_dict_unstructure_fn(cls, conv, **fields)  # type: ignore[arg-type]

    conv.register_unstructure_hook_factory(attrs.has, unstructure_factory)
    return conv


converter: Final = _build()
#: The converter of request bodies: what `unstructurer` gives `Endpoint`.
_requests: Final = _request_bodies(converter)


def structurer(cls: Any) -> Callable[[Any], Any]:
    """Return a fast ``data -> cls`` function: the hook is looked up now, not per call."""
    hook = converter.get_structure_hook(cls)
    return lambda data: hook(data, cls)


def unstructurer(cls: Any) -> Callable[[Any], Any]:
    """Return a fast ``instance -> JSON-ready`` function for request bodies of ``cls``.

    Fields whose default is ``None`` are left out while ``None``; every other field is sent.
    """
    return _requests.get_unstructure_hook(cls)


def _format_leaf(exc: BaseException, type_: type | None) -> str:
    # cattrs' default says only "invalid value" for a ValueError; a model validator's own
    # message says which rule was broken.
    text = format_exception(exc, type_)
    if type(exc) is ValueError and str(exc):
        text = f"{text} ({exc})"
    return text


def explain(exc: BaseException) -> str:
    """Say in one line why cattrs refused a value, field by field."""
    if isinstance(exc, cattrs.BaseValidationError):
        return "; ".join(cattrs.transform_error(exc, format_exception=_format_leaf))
    return f"{type(exc).__name__}: {exc}"
