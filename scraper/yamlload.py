"""The YAML loader for files people edit (config, topic rules, front matter).

Safe types only, and a key given twice is an error: YAML would silently keep the last one,
so `retries: 3` further down, or a second `title:`, would quietly win.
"""

from __future__ import annotations

import reprlib
from typing import Any

import yaml

# libyaml's parser where it is installed: several times faster on a large archive
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UniqueKeyLoader(_Base):  # type: ignore[misc]
    """yaml.SafeLoader that refuses duplicate keys in a mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key.value!r}", key.start_mark)
                seen.add(key.value)
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 2, 60, 60
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 4


def short(value: Any) -> str:
    """A value read from such a file, for a one-line message: short even for an alias bomb."""
    return _SHORT.repr(value)
