"""Tests of the formatter and the message catalogue."""
