"""Retention: what is kept how long, applied by ``lms retention apply`` (layer 10: it reaches
learning, org, auth and audit data). ``rules`` decides (pure), ``services`` applies, ``cli`` runs it."""
