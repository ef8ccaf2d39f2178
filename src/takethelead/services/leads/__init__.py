"""Leads, matching them with who could serve or refer them, trusted paths, referrals and
introductions.
"""
