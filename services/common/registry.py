"""The registry of services: each one's name, port and the services it follows.

The list itself is data (`services/registry.py`); everything that needs to know which
services exist reads it through `Registry`: settings (ports), catalogues (contracts of
the upstreams), the runner and its generated consumers, the command line, `huiwu up`,
the tests' System and the compose check. See docs/adding-a-service.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from .catalog import Catalogs, EventCatalog

EVERY_OTHER = "*"
"""`follows=EVERY_OTHER`: every other service in the registry (the audit trail does)."""

BUILT_IN = "services.registry"


@dataclass(frozen=True)
class ServiceSpec:
    """One line of the registry."""

    name: str
    port: int
    follows: Sequence[str] | str = ()
    package: str = ""

    def __post_init__(self) -> None:
        if not self.package:
            object.__setattr__(self, "package", f"services.{self.name}")
        if not isinstance(self.follows, str):
            object.__setattr__(self, "follows", tuple(self.follows))

    def module(self, name: str) -> Any:
        """One module of the service's folder: `contract`, `service`, `bootstrap`..."""
        return importlib.import_module(f"{self.package}.{name}")


class UnknownService(LookupError):
    pass


class Registry:
    def __init__(self, specs: Sequence[ServiceSpec], source: str = BUILT_IN) -> None:
        self.source = source
        self._specs = {spec.name: spec for spec in specs}
        if len(self._specs) != len(specs):
            raise ValueError(f"{source}: a service is listed twice")
        ports = [spec.port for spec in specs]
        if len(set(ports)) != len(ports):
            raise ValueError(f"{source}: two services share a port")
        for spec in specs:
            for upstream in self.upstreams(spec.name):
                if upstream not in self._specs:
                    raise ValueError(f"{source}: {spec.name} follows unknown service {upstream!r}")

    def __iter__(self) -> Iterator[ServiceSpec]:
        return iter(self._specs.values())

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._specs)

    def spec(self, name: str) -> ServiceSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise UnknownService(
                f"no service {name!r} in {self.source}; known: {', '.join(self._specs)}"
            ) from None

    def upstreams(self, name: str) -> tuple[str, ...]:
        """The services `name` follows, in registry order for EVERY_OTHER."""
        follows = self.spec(name).follows
        if follows == EVERY_OTHER:
            return tuple(other for other in self._specs if other != name)
        return tuple(follows)

    def catalog(self, name: str) -> EventCatalog:
        """The service's published contract (its `events` module), imported alone."""
        return self.spec(name).module("events").CATALOG

    def catalogs(self, names: Sequence[str] | None = None) -> Catalogs:
        return Catalogs(*(self.catalog(name) for name in (self.names if names is None else names)))


@cache
def load(module: str = BUILT_IN) -> Registry:
    """The registry listed by `module` (its SERVICES); HUIWU_REGISTRY names another one."""
    try:
        listed = importlib.import_module(module).SERVICES
    except (ImportError, AttributeError) as exc:
        raise ValueError(
            f"HUIWU_REGISTRY: {module!r} is not a module with SERVICES: {exc}"
        ) from None
    return Registry(tuple(listed), module)
