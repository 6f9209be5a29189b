"""Atiende's infrastructure: the stateful resources (``resources.yaml``) and the packager."""
