"""Reports the names the runtime's built-in module `_kybra_ic` really has."""
from kybra import Vec, query, text

import _kybra_ic


@query
def runtime_names() -> Vec[text]:
    return sorted(name for name in dir(_kybra_ic) if not name.startswith("__"))
