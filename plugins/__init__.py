"""Plugin loading: one code path for built-in and third-party techniques.

Third-party packages declare an entry point in the group ``fairmend``::

    [project.entry-points.fairmend]
    my_techniques = "my_package.fairmend_plugin"

and implement :func:`fairmend.catalog.hookspecs.fairmend_register_techniques` with
``@fairmend.catalog.hookimpl``. Built-in techniques are registered by the modules in
:data:`DEFAULT_PLUGINS` through the very same hook.

``FAIRMEND_LOAD_PLUGINS`` controls which installed plugins load: unset = all; empty = built-ins
only; a comma-separated list = only those (entry-point or distribution names).

A plugin that fails to import, or whose hook raises, is skipped and recorded in
:func:`plugin_report`; the rest of the catalog still loads.
"""

from fairmend.plugins.manager import (
    DEFAULT_PLUGINS,
    PluginRecord,
    get_catalog,
    get_plugin_manager,
    plugin_report,
    register_plugin,
    reset,
    unregister_plugin,
)

__all__ = ["DEFAULT_PLUGINS", "PluginRecord", "get_catalog", "get_plugin_manager", "plugin_report", "register_plugin",
           "reset", "unregister_plugin"]
