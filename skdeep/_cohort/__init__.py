"""The search accelerator: many (candidate, fold) fits trained in stacked cohorts.

Used by :mod:`skdeep.model_selection`; it plugs into the layers below through
their slots (the engine cache's provider and the fit template's fit cache),
and nothing below imports it.
"""
