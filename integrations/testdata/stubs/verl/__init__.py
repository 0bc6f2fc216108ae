"""Test stand-in for the verl package: only what the RLEF shim imports."""
