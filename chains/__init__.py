"""Events to lot genealogy and partner chains: tracing, mass balance, EPCIS 2.0 (no Flask)."""
