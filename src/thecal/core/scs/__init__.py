"""Spinal cord stimulation: stimulators, leads, programs, the charge limits, the
battery, the trial. Pure, like the pump core: data in, findings out."""
