"""Where scheming's output for our schema would break a contract of CKAN's API, core's shape is restored."""
from __future__ import annotations

from typing import Any

# Resource keys core's package_show always returns (its show schema keeps them even when empty); scheming drops an
# optional field of ours whose value is None (a resource saved again without a description).
CORE_RESOURCE_KEYS = ("description",)


def restore_core_resource_keys(pkg_dict: dict[str, Any]) -> None:
    for resource in pkg_dict.get("resources") or []:
        for key in CORE_RESOURCE_KEYS:
            resource.setdefault(key, None)
