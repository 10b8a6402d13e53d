"""Korean messages, merged from this package's modules (see i18n.catalogue)."""
