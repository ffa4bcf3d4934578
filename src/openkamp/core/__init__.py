"""Core domain: types, errors and tenancy. Imports nothing above it and does no I/O."""
