"""Pydantic models: rules, parties, manifest lines, findings, reports. No I/O here."""
