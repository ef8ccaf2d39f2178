"""How strong each relationship is and why: strength, layers, due and fading, the give-and-take
ledger, contact-to-contact ties, history, the network report.
"""
