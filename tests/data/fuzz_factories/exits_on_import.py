raise SystemExit("at import")
