"""Every service's event catalogue, for consumers that follow several upstreams."""

from services.budget.events import CATALOG as BUDGET
from services.checklist.events import CATALOG as CHECKLIST
from services.common.catalog import Catalogs
from services.registration.events import CATALOG as REGISTRATION
from services.speakers.events import CATALOG as SPEAKERS
from services.vendors.events import CATALOG as VENDORS

ALL = Catalogs(REGISTRATION, BUDGET, VENDORS, SPEAKERS, CHECKLIST)
