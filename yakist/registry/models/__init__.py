"""The registry's models: reference data (a published read model) and connected systems."""

from yakist.registry.models.reference import (
    Centre,
    MonitoringNotice,
    Organisation,
    Service,
    ServiceTerm,
    Territory,
)
from yakist.registry.models.systems import ConnectedSystem, DataList, SystemKey, XRoadClient

__all__ = [
    "Centre",
    "ConnectedSystem",
    "DataList",
    "MonitoringNotice",
    "Organisation",
    "Service",
    "ServiceTerm",
    "SystemKey",
    "Territory",
    "XRoadClient",
]
