"""Layouts: pure functions that turn plain values into Dash component trees; ids.py names them all."""
