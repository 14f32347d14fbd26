"""QAPI schema parser and C code generator for Tandem (scripts/qapi-gen.py)."""
