"""The weekly plan: its inputs, the plan itself, marking actions done or skipped, the calendar file
and the digest.
"""
