"""Use cases shared by the CLI and the screens: schools, imports, accounts, documents, staff."""
