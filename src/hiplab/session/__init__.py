"""Guided sessions: a pure timer engine, voice cues and a terminal UI."""
