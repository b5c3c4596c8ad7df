"""Adapters that read files (rules, lists, manifests, catalogs) into models."""
