"""Live networks behind one small protocol (base.py); all outbound HTTP goes through http.py."""
