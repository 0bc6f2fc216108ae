"""Test stand-in for the openrlhf package: only what the RLEF shim imports."""
