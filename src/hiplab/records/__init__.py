"""Typed records that hiplab measures, stores and exchanges.

The intake (what a person or clinician enters), the assessment (what hiplab found)
and the programme with its session logs. They sit on the lowest floor, beside the
library, so that the store can persist them without depending on the stages that
make them (assess, plan).
"""
