"""Every report, one module per workspace; importing this package registers them."""
from . import contacts, leads, opportunities, projects  # noqa: F401
